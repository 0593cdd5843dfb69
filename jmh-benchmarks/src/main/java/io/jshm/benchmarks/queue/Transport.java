package io.jshm.benchmarks.queue;

import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.ShmEvent;
import io.jshm.queue.EndOfStreamException;
import io.jshm.queue.FanInQueue;
import io.jshm.queue.MessageHandler;
import io.jshm.queue.MpmcQueue;
import io.jshm.queue.MpscQueue;
import io.jshm.queue.ShmQueue;
import io.jshm.queue.SpscQueue;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.io.IOTools;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.RollCycleArithmetic;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * One direction of a message channel between two JVMs, the same interface over every contender:
 * jshm SPSC, MPSC, MPMC and fan-in queues, Agrona one-to-one and many-to-one ring buffers on a mapped file, a
 * Chronicle Queue journal, and a Unix-domain stream socket. Each side sends and receives fixed-size messages; nothing on the
 * send/receive path allocates.
 */
abstract class Transport implements AutoCloseable {
    /**
     * Every ring holds at least this many messages of the size sent: a jshm queue has this many
     * slots, each of exactly the message size (as a user who knows its messages creates it), and
     * an Agrona ring is the smallest power of two that holds this many records.
     */
    static final int CAPACITY = 1024;

    /**
     * The lanes of the jshm fan-in queue: room for four sending threads, one used here; its lane
     * holds {@link #CAPACITY} messages, as the other rings do.
     */
    static final int FAN_IN_LANES = 4;

    /** The pause of jshm's waiting {@code drain} after it finds the queue empty ({@code ShmQueue.BATCH_PAUSE_NANOS}). */
    static final long BATCH_PAUSE_NANOS = 1_000;

    /** How long jshm's receivers spin and yield before they park (on a futex, to be woken by the next message). */
    static final long IDLE_NANOS = 50_000;

    /**
     * What a receiver does with each message: nothing beyond learning that it is there (which
     * measures the channel alone), or read every byte of it, summing it as longs with the
     * contender's own accessor (what a consumer that uses its messages pays; the sum goes to
     * {@link #sum}, so the reads cannot be optimized away).
     */
    enum Payload {
        IGNORED, SUMMED;

        static Payload of(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /**
     * The running sum of the payloads received, when they are {@link Payload#SUMMED}. Never read:
     * it is a field of an object that outlives every receive, so the JIT must keep the stores,
     * and with them the reads that feed them.
     */
    long sum;

    /** Sends one message of the buffer's size, waiting (spinning or parking, as the contender does). */
    abstract void send() throws Exception;

    /** Receives one message, waiting; false at end of stream. */
    abstract boolean receive() throws Exception;

    /**
     * Lets a receiver that nothing can wake park between its turns ({@link PeerTurn}): once it has
     * waited {@link #IDLE_NANOS}, it waits for {@code turn} to be set if it is not, and spins
     * while it is; null (an unpaired receiver), it spins. For a consumer that waits its turn in {@link CrossJvmQueuePairedThroughput} or
     * {@link CrossJvmQueuePairedPingPong}, which must not take a core from the contender being
     * measured. Only Agrona's receiver needs it (jshm's park on their queue's futex; Chronicle and
     * the socket are not paired).
     */
    void waitTurnsOn(ShmEvent turn) {
    }

    /** Receives what is there (at least one, waiting); returns how many, -1 at end of stream. */
    int receiveBatch() throws Exception {
        return receive() ? 1 : -1;
    }

    /** Tells the receiver no more will come. */
    abstract void finish() throws Exception;

    @Override
    public abstract void close() throws Exception;

    /** Creates (owner) or opens the channel named {@code name} in {@code dir}, receivers ignoring the payload. */
    static Transport of(String kind, Path dir, String name, int size, boolean owner) throws IOException {
        return of(kind, dir, name, size, owner, Payload.IGNORED);
    }

    /** Creates (owner) or opens the channel named {@code name} in {@code dir}. */
    static Transport of(String kind, Path dir, String name, int size, boolean owner, Payload payload) throws IOException {
        boolean summed = payload == Payload.SUMMED;
        return switch (kind) {
            case "jshm-spsc", "jshm-mpsc", "jshm-mpmc", "jshm-fanin" -> new Jshm(kind, dir, name, size, owner, summed);
            case "agrona-1to1", "agrona-mto1" -> new Agrona(kind, dir.resolve(name), size, owner, summed);
            case "chronicle" -> new Chronicle(dir.resolve(name), size, owner, summed);
            case "uds" -> new Socket(dir.resolve(name), size, owner, summed);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    static final class Jshm extends Transport {
        /** Reads nothing: the receivers of every contender take the message in place. */
        private static final MessageHandler IGNORE = (buffer, offset, length) -> { };
        /** How long one receive call waits before looking again (the benchmark bounds the run). */
        private static final Duration PATIENCE = Duration.ofSeconds(30);
        private final ShmQueue queue;
        private final Arena arena = Arena.ofShared();
        private final MemorySegment message;
        private final ShmFile file;
        private final boolean owner;
        private final MessageHandler handler;

        Jshm(String kind, Path dir, String name, int size, boolean owner, boolean summed) {
            this.file = ShmFile.of(dir, name);
            this.owner = owner;
            this.handler = summed ? (buffer, offset, length) -> {
                long x = 0;
                for (int i = 0; i + 8 <= length; i += 8) {
                    x += buffer.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + i);
                }
                sum += x;
            } : IGNORE;
            queue = switch (kind) {
                case "jshm-spsc" -> owner ? SpscQueue.create(file, CAPACITY, size) : SpscQueue.open(file);
                case "jshm-mpsc" -> owner ? MpscQueue.create(file, CAPACITY, size) : MpscQueue.open(file);
                case "jshm-fanin" -> owner ? FanInQueue.create(file, FAN_IN_LANES, CAPACITY, size) : FanInQueue.open(file);
                default -> owner ? MpmcQueue.create(file, CAPACITY, size) : MpmcQueue.open(file);
            };
            message = arena.allocate(size, 8);
        }

        @Override
        void send() throws InterruptedException {
            queue.put(message);
        }

        @Override
        boolean receive() throws InterruptedException {
            try {
                // Zero-copy, as Agrona's and Chronicle's receivers here: the handler sees the slot.
                while (!queue.read(handler, PATIENCE)) {
                    // a peer slower than 30 s: keep waiting, the benchmark bounds the run
                }
                return true;
            } catch (EndOfStreamException e) {
                return false;
            }
        }

        @Override
        int receiveBatch() throws InterruptedException {
            try {
                return queue.drain(handler, 256, PATIENCE);
            } catch (EndOfStreamException e) {
                return -1;
            }
        }

        @Override
        void finish() {
            queue.closeForSending();
        }

        @Override
        public void close() {
            if (owner) {
                queue.unlink();
            }
            queue.close();
            arena.close();
        }
    }

    /**
     * Agrona's ring buffers on a mapped file; both sides spin (Agrona has no blocking wait), but
     * for a receiver told to {@link #waitTurnsOn(ShmEvent) wait its turns}.
     */
    static final class Agrona extends Transport {
        private static final int END = 2;
        private final RingBuffer ring;
        private final UnsafeBuffer message;
        private final Path path;
        private final boolean owner;
        private int lastType;
        private final org.agrona.concurrent.MessageHandler onMessage;
        /** Null, or set during this receiver's turns ({@link #waitTurnsOn(ShmEvent)}). */
        private ShmEvent turn;

        Agrona(String kind, Path path, int size, boolean owner, boolean summed) throws IOException {
            this.path = path;
            this.owner = owner;
            this.onMessage = summed ? (type, buffer, index, length) -> {
                lastType = type;
                long x = 0;
                for (int i = 0; i + 8 <= length; i += 8) {
                    x += buffer.getLong(index + i);
                }
                sum += x;
            } : (type, buffer, index, length) -> lastType = type;
            int record = (RecordDescriptor.HEADER_LENGTH + size + RecordDescriptor.ALIGNMENT - 1)
                    & -RecordDescriptor.ALIGNMENT;
            long length = Long.highestOneBit(CAPACITY * record * 2L - 1) + RingBufferDescriptor.TRAILER_LENGTH;
            MappedByteBuffer mapped;
            try (FileChannel channel = owner
                    ? FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, length);
            }
            UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            ring = kind.equals("agrona-1to1") ? new OneToOneRingBuffer(buffer) : new ManyToOneRingBuffer(buffer);
            message = new UnsafeBuffer(ByteBuffer.allocateDirect(size));
        }

        @Override
        void send() {
            while (!ring.write(1, message, 0, message.capacity())) {
                Thread.onSpinWait();
            }
        }

        @Override
        boolean receive() throws InterruptedException {
            if (turn == null) { // the round trips of CrossJvmQueuePingPong: the bare spin
                while (ring.read(onMessage, 1) == 0) {
                    Thread.onSpinWait();
                }
            } else if (ring.read(onMessage, 1) == 0) {
                long start = System.nanoTime();
                while (ring.read(onMessage, 1) == 0) {
                    idle(start);
                }
            }
            return lastType != END;
        }

        /**
         * One step of a wait begun at {@code start}: a spin, or, for a receiver told to
         * {@link #waitTurnsOn(ShmEvent) wait its turns} that has waited {@link #IDLE_NANOS} outside
         * its turn, a wait for the next.
         */
        private void idle(long start) throws InterruptedException {
            if (turn != null && System.nanoTime() - start >= IDLE_NANOS && !turn.isSet()) {
                turn.await();
            } else {
                Thread.onSpinWait();
            }
        }

        @Override
        void waitTurnsOn(ShmEvent turn) {
            this.turn = turn;
        }

        /**
         * Waits as jshm's {@code drain} does: after a read that found nothing, a pause of
         * {@link #BATCH_PAUSE_NANOS} before the next, so that both rings are compared under the same
         * waiting policy (Agrona leaves it to the caller's idle strategy); then spins, or, if told
         * to {@link #waitTurnsOn(ShmEvent) wait its turns}, waits for the next once it has waited
         * {@link #IDLE_NANOS} outside its turn.
         */
        @Override
        int receiveBatch() throws InterruptedException {
            int n = ring.read(onMessage, 256);
            if (n == 0) {
                long start = System.nanoTime();
                while (System.nanoTime() - start < BATCH_PAUSE_NANOS) {
                    Thread.onSpinWait();
                }
                while ((n = ring.read(onMessage, 256)) == 0) {
                    idle(start);
                }
            }
            return lastType == END ? -1 : n;
        }

        @Override
        void finish() {
            while (!ring.write(END, message, 0, 0)) {
                Thread.onSpinWait();
            }
        }

        @Override
        public void close() throws IOException {
            if (owner) {
                Files.deleteIfExists(path);
            }
        }
    }

    /**
     * A Chronicle Queue journal in a directory on {@code /dev/shm}: each message is one document of
     * raw bytes, appended without allocating, and read in place by a tailer, which spins (a tailer
     * has no blocking wait). A journal keeps everything, and at GB/s a long run would fill
     * {@code /dev/shm}, which is memory; so it rolls to a new file every second and the reading side
     * deletes each file it has read past. The appender and tailer are made by the first send or
     * receive, on the thread that uses them, as Chronicle requires.
     */
    static final class Chronicle extends Transport {
        private final Path dir;
        private final int size;
        private final boolean owner;
        private final boolean summed;
        private final ChronicleQueue queue;
        private final Bytes<Void> message;
        /** An empty document (Chronicle stores it as one byte), shorter than any message, ends the stream. */
        private final Bytes<Void> end = Bytes.allocateDirect(0);
        private ExcerptAppender appender;
        private volatile ExcerptTailer tailer;

        Chronicle(Path dir, int size, boolean owner, boolean summed) {
            this.dir = dir;
            this.size = size;
            this.owner = owner;
            this.summed = summed;
            queue = SingleChronicleQueueBuilder.single(dir.toFile()).rollCycle(Secondly.INSTANCE)
                    .storeFileListener(this::released).build();
            message = Bytes.allocateDirect(size);
            message.writeSkip(size);
        }

        /**
         * Only a reader deletes: it lets go of a file after the writer has rolled past it, never
         * before. A file that will not go is left for the owner, who removes the directory on close.
         */
        private void released(int cycle, File file) {
            if (tailer != null) {
                file.delete();
            }
        }

        @Override
        void send() {
            if (appender == null) {
                appender = queue.createAppender();
            }
            appender.writeBytes(message);
        }

        @Override
        boolean receive() {
            if (tailer == null) {
                tailer = queue.createTailer();
            }
            while (true) {
                try (DocumentContext document = tailer.readingDocument()) {
                    if (document.isPresent()) {
                        Bytes<?> bytes = document.wire().bytes();
                        long length = bytes.readRemaining();
                        if (summed) {
                            long start = bytes.readPosition();
                            long x = 0;
                            for (long i = 0; i + 8 <= length; i += 8) {
                                x += bytes.readLong(start + i);
                            }
                            sum += x;
                        }
                        return length == size;
                    }
                }
                Thread.onSpinWait();
            }
        }

        @Override
        void finish() {
            if (appender == null) {
                appender = queue.createAppender();
            }
            appender.writeBytes(end);
        }

        @Override
        public void close() {
            queue.close();
            message.releaseLast();
            end.releaseLast();
            if (owner) {
                IOTools.deleteDirWithFiles(dir.toFile());
            }
        }

        /** A file a second, indexed as Chronicle's default FAST_DAILY is (an index entry every 256 messages). */
        private enum Secondly implements RollCycle {
            INSTANCE;

            private final RollCycleArithmetic arithmetic = RollCycleArithmetic.of(
                    RollCycles.FAST_DAILY.defaultIndexCount(), RollCycles.FAST_DAILY.defaultIndexSpacing());

            @Override
            public String format() {
                return "yyyyMMdd-HHmmss'S'";
            }

            @Override
            public int lengthInMillis() {
                return 1000;
            }

            @Override
            public int defaultIndexCount() {
                return arithmetic.indexCount();
            }

            @Override
            public int defaultIndexSpacing() {
                return arithmetic.indexSpacing();
            }

            @Override
            public long toIndex(int cycle, long sequenceNumber) {
                return arithmetic.toIndex(cycle, sequenceNumber);
            }

            @Override
            public long toSequenceNumber(long index) {
                return arithmetic.toSequenceNumber(index);
            }

            @Override
            public int toCycle(long index) {
                return arithmetic.toCycle(index);
            }

            @Override
            public long maxMessagesPerCycle() {
                return arithmetic.maxMessagesPerCycle();
            }
        }
    }

    /** A Unix-domain stream socket, blocking: the kernel baseline (what pipes and Python's Queue pay). */
    static final class Socket extends Transport {
        private final Path path;
        private final SocketChannel channel;
        private final ServerSocketChannel server;
        private final ByteBuffer out;
        private final ByteBuffer in;
        private final ByteBuffer bulk = ByteBuffer.allocateDirect(1 << 16);
        private final boolean summed;

        Socket(Path path, int size, boolean owner, boolean summed) throws IOException {
            this.path = path;
            this.summed = summed;
            out = ByteBuffer.allocateDirect(size);
            in = ByteBuffer.allocateDirect(size);
            if (owner) {
                server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                server.bind(UnixDomainSocketAddress.of(path));
                channel = null;
            } else {
                server = null;
                channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
            }
        }

        private SocketChannel accepted;

        private SocketChannel channel() throws IOException {
            if (channel != null) {
                return channel;
            }
            if (accepted == null) {
                accepted = server.accept();
            }
            return accepted;
        }

        @Override
        void send() throws IOException {
            out.clear();
            SocketChannel c = channel();
            while (out.hasRemaining()) {
                c.write(out);
            }
        }

        @Override
        boolean receive() throws IOException {
            in.clear();
            SocketChannel c = channel();
            while (in.hasRemaining()) {
                if (c.read(in) < 0) {
                    return false;
                }
            }
            if (summed) {
                sum += sumLongs(in, in.position());
            }
            return true;
        }

        private static long sumLongs(ByteBuffer buffer, int length) {
            long x = 0;
            for (int i = 0; i + 8 <= length; i += 8) {
                x += buffer.getLong(i);
            }
            return x;
        }

        @Override
        int receiveBatch() throws IOException {
            bulk.clear();
            int n = channel().read(bulk);
            if (summed && n > 0) {
                sum += sumLongs(bulk, n);
            }
            return n < 0 ? -1 : Math.max(1, n / Math.max(1, in.capacity()));
        }

        @Override
        void finish() throws IOException {
            channel().shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            if (accepted != null) {
                accepted.close();
            }
            if (channel != null) {
                channel.close();
            }
            if (server != null) {
                server.close();
                Files.deleteIfExists(path);
            }
        }
    }
}
