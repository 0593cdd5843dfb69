package io.jshm.queue;

import io.jshm.core.os.Futex;
import io.jshm.core.region.ShmFile;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.locks.LockSupport;

/** The child JVMs of the cross-process queue tests; the first argument picks the role. */
public final class QueueChild {
    private QueueChild() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        ShmFile file = ShmFile.of(dir, args[2]);
        switch (args[0]) {
            case "produce" -> produce(open(args[3], file), Integer.parseInt(args[4]), Long.parseLong(args[5]));
            case "produceNumbered" -> produceNumbered(open(args[3], file), Integer.parseInt(args[4]), Long.parseLong(args[5]));
            case "consumeNumberedToLog" -> consumeNumberedToLog(open(args[3], file), dir.resolve(args[4]),
                    Integer.parseInt(args[5]));
            case "consume" -> consume(open(args[3], file), Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    dir.resolve(args[6]));
            case "takeLatency" -> takeLatency(open(args[3], file), Integer.parseInt(args[4]));
            case "takeUntilEnd" -> takeUntilEnd(open(args[3], file));
            case "echo" -> echo(open(args[3], file), open(args[3], ShmFile.of(dir, args[4])));
            case "putUntilClosed" -> putUntilClosed(open(args[3], file));
            case "claimAndHang" -> {
                // Claims args[4] positions in a row (default one) and never publishes them.
                ShmQueue q = open(args.length > 3 ? args[3] : "MPMC", file);
                int claims = args.length > 4 ? Integer.parseInt(args[4]) : 1;
                for (int i = 0; i < claims; i++) {
                    System.out.println("claimed " + q.tryClaim());
                }
                Thread.sleep(Long.MAX_VALUE);
            }
            case "claimAndPublishWhenToldTo" -> {
                // Claims one position, says so, and publishes an empty message once file args[4] exists.
                ShmQueue q = open(args[3], file);
                long position = q.tryClaim();
                System.out.println("claimed " + position);
                Path go = dir.resolve(args[4]);
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!Files.exists(go)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("no " + go + " after 2 minutes: the test that started this child is gone");
                    }
                    Thread.sleep(1);
                }
                q.commit(position, 0);
                System.out.println("published " + position);
            }
            case "acquireAndHang" -> {
                MpmcQueue q = MpmcQueue.open(file);
                long position;
                while ((position = q.tryAcquire()) == ShmQueue.NONE) {
                    Thread.sleep(1);
                }
                System.out.println("acquired " + position);
                Thread.sleep(Long.MAX_VALUE);
            }
            case "work" -> work(JoinableQueue.open(file));
            case "workInBatches" -> workInBatches(JoinableQueue.open(file), dir.resolve(args[3]));
            case "join" -> {
                JoinableQueue q = JoinableQueue.open(file);
                if (!q.join(Duration.ofMinutes(1)) || q.unfinishedTasks() != 0) {
                    throw new AssertionError("join returned with " + q.unfinishedTasks() + " unfinished");
                }
                System.out.println("joined");
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static ShmQueue open(String kind, ShmFile file) {
        return QueueKind.valueOf(kind).open(file);
    }

    private static void produce(ShmQueue q, int producer, long count) throws InterruptedException {
        StressMessages messages = new StressMessages(producer);
        byte[] buffer = new byte[q.maxMessageLength()];
        for (long sequence = 0; sequence < count; sequence++) {
            int length = messages.next(sequence, buffer, q.maxMessageLength());
            q.put(buffer, 0, length);
        }
    }

    /**
     * Sends {@code count} messages of {@link NumberedMessages}, each message's bytes a function of
     * its number, or until the queue is closed for sending; then prints how many sends returned.
     */
    private static void produceNumbered(ShmQueue q, int producer, long count) throws InterruptedException {
        byte[] buffer = new byte[q.maxMessageLength()];
        long sequence = 0;
        try {
            for (; sequence < count; sequence++) {
                q.put(buffer, 0, NumberedMessages.write(producer, sequence, buffer));
            }
        } catch (QueueClosedException closed) {
            // the parent closed the queue: report what was sent before
        }
        System.out.println("sent " + sequence);
    }

    /**
     * Receives {@link NumberedMessages} until end of stream, checking each, and appends
     * (producer int, sequence long) of each to {@code log} with a write system call per message,
     * so that what it received is on record even if it is killed: a killed process's writes
     * stay in the page cache. A {@code batch} of 1 reads one message at a time ({@code read}),
     * more drains batches of up to that many ({@code drain}).
     */
    private static void consumeNumberedToLog(ShmQueue q, Path log, int batch) throws Exception {
        ByteBuffer entry = ByteBuffer.allocate(NumberedMessages.LOG_ENTRY);
        try (FileChannel out = FileChannel.open(log, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            MessageHandler record = (buffer, offset, length) -> {
                if (!NumberedMessages.intact(buffer, offset, length)) {
                    throw new AssertionError("a corrupt message of length " + length);
                }
                entry.clear().putInt(NumberedMessages.producer(buffer, offset)).putLong(NumberedMessages.sequence(buffer, offset)).flip();
                try {
                    while (entry.hasRemaining()) {
                        out.write(entry);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            while (true) {
                if (batch == 1) {
                    q.read(record, Duration.ofMillis(100));
                } else {
                    q.drain(record, batch, Duration.ofMillis(100));
                }
            }
        } catch (EndOfStreamException end) {
            System.out.println("end of stream");
        }
    }

    /** Checks every message as it comes and records what arrived for the parent's exact accounting. */
    private static void consume(ShmQueue q, int producers, int consumer, Path result) throws Exception {
        BitSet[] received = new BitSet[producers];
        long[] shortCount = new long[producers];
        long[] last = new long[producers];
        long[] zeroLength = {0};
        for (int p = 0; p < producers; p++) {
            received[p] = new BitSet();
            last[p] = -1;
        }
        StressMessages[] checkers = new StressMessages[producers];
        for (int p = 0; p < producers; p++) {
            checkers[p] = new StressMessages(p);
        }
        byte[] scratch = new byte[q.maxMessageLength()];
        MessageHandler check = (buffer, offset, length) -> {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, scratch, 0, length);
            if (length == 0) {
                zeroLength[0]++;
                return;
            }
            if (length < StressMessages.HEADER) {
                int producer = scratch[0] - 1;
                for (int i = 0; i < length; i++) {
                    if (scratch[i] != scratch[0] || producer < 0 || producer >= producers) {
                        throw new AssertionError("corrupt short message of length " + length);
                    }
                }
                shortCount[producer]++;
                return;
            }
            MemorySegment m = MemorySegment.ofArray(scratch);
            int producer = m.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
            long sequence = m.get(ValueLayout.JAVA_LONG_UNALIGNED, 4);
            if (producer < 0 || producer >= producers) {
                throw new AssertionError("bad producer id " + producer);
            }
            if (checkers[producer].checksum(scratch, length) != m.get(ValueLayout.JAVA_INT_UNALIGNED, 12)) {
                throw new AssertionError("checksum mismatch: producer " + producer + " sequence " + sequence);
            }
            if (sequence <= last[producer]) {
                throw new AssertionError("producer " + producer + ": sequence " + sequence + " after " + last[producer]);
            }
            last[producer] = sequence;
            received[producer].set(Math.toIntExact(sequence));
        };
        long total = 0;
        try {
            while (true) {
                // Alternate the zero-copy batch path and the copying path.
                if ((total & 1) == 0) {
                    total += q.drain(check, 64, Duration.ofSeconds(10));
                } else {
                    int length = q.take(scratch);
                    byte[] copy = java.util.Arrays.copyOf(scratch, length);
                    check.onMessage(MemorySegment.ofArray(copy).asReadOnly(), 0, length);
                    total++;
                }
            }
        } catch (EndOfStreamException end) {
            // Closed and drained: report.
        }
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(result)))) {
            out.writeLong(zeroLength[0]);
            for (int p = 0; p < producers; p++) {
                out.writeLong(shortCount[p]);
                long[] bits = received[p].toLongArray();
                out.writeInt(bits.length);
                for (long word : bits) {
                    out.writeLong(word);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        System.out.println("consumer " + consumer + " received " + total);
    }

    private static void takeLatency(ShmQueue q, int rounds) throws InterruptedException {
        for (int i = 0; i <= rounds; i++) {
            byte[] m = q.take();
            long received = System.nanoTime();
            long sent = MemorySegment.ofArray(m).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (sent != 0) { // round 0 is the warm-up
                System.out.println("latencyMicros " + (received - sent) / 1_000);
            }
        }
    }

    /** Sends back every message until end of stream, then reports its parks that ran out. */
    private static void echo(ShmQueue in, ShmQueue out) throws InterruptedException {
        byte[] buffer = new byte[in.maxMessageLength()];
        try {
            while (true) {
                int length = in.take(buffer);
                out.put(buffer, 0, length);
            }
        } catch (EndOfStreamException e) {
            System.out.println("slicesRunOut " + Futex.slicesRunOutCount());
        }
    }

    private static void takeUntilEnd(ShmQueue q) throws InterruptedException {
        int count = 0;
        try {
            while (true) {
                q.take();
                count++;
            }
        } catch (EndOfStreamException e) {
            System.out.println("end of stream after " + count);
        }
    }

    private static void putUntilClosed(ShmQueue q) throws InterruptedException {
        try {
            while (true) {
                q.put(new byte[1]);
            }
        } catch (QueueClosedException e) {
            System.out.println("closed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * As {@code work}, draining batches of up to 16 and marking each task done in the handler,
     * after a millisecond's work: a kill lands inside a handler before its taskDone(), not in the
     * instant after it (before the slot is given back, where it races a kill as in take).
     * Creates {@code working} when it handles its first message.
     */
    private static void workInBatches(JoinableQueue q, Path working) throws InterruptedException {
        MessageHandler handle = (buffer, offset, length) -> {
            if (!Files.exists(working)) {
                try {
                    Files.createFile(working);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            LockSupport.parkNanos(1_000_000);
            q.taskDone();
        };
        try {
            while (true) {
                q.drain(handle, 16, Duration.ofMillis(100));
            }
        } catch (EndOfStreamException e) {
            System.out.println("worker done");
        }
    }

    private static void work(JoinableQueue q) throws InterruptedException {
        try {
            while (true) {
                q.take();
                Thread.sleep(2);
                q.taskDone();
            }
        } catch (EndOfStreamException e) {
            System.out.println("worker done");
        }
    }
}
