package io.jshm.queue;

import io.jshm.core.region.RegionDescriptor;
import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What only a {@link FanInQueue} does: lanes leased per sending thread and given back, a lane
 * full while the others have room, the consumer going round the lanes, a lane left by a producer
 * killed between its two stores of tail, and closing while threads send. (Everything a queue
 * does in general is tested for it with the other kinds, through {@link QueueKind#FAN_IN}.)
 */
class FanInQueueTest {
    private static final Duration LONG_ENOUGH = Duration.ofSeconds(30);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    /** Sends {@code message} from a new thread and waits for it to return or throw. */
    private static void sendFromAnotherThread(ShmQueue q, byte[] message) throws Exception {
        CompletableFuture<Boolean> sent = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                sent.complete(q.offer(message));
            } catch (Throwable t) {
                sent.completeExceptionally(t);
            }
        }).join();
        assertTrue(sent.get(), "the other thread's lane had room");
    }

    @Test
    void eachSendingThreadHasALaneOfItsOwnAndOneTooManyIsToldWhy() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (FanInQueue q = FanInQueue.create(file, 2, 4, 8); FanInQueue other = FanInQueue.open(file)) {
            assertEquals(2, q.lanes());
            assertEquals(4, q.laneCapacity());
            assertEquals(8, q.capacity());
            for (int i = 0; i < 4; i++) {
                assertTrue(q.offer(new byte[]{1}));
            }
            assertFalse(q.offer(new byte[]{1}), "this thread's lane is full");
            assertFalse(q.isFull(), "the other lane is empty");
            assertEquals(4, q.remainingCapacity());
            // Another thread (through another handle, to keep the lane past the thread's end) gets lane 1.
            CountDownLatch sent = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().start(() -> {
                try {
                    other.put(new byte[]{2});
                    sent.countDown();
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(sent.await(30, TimeUnit.SECONDS));
            ExecutionException third = assertThrows(ExecutionException.class, () -> sendFromAnotherThread(q, new byte[]{3}));
            assertInstanceOf(IllegalStateException.class, third.getCause());
            assertTrue(third.getCause().getMessage().contains(file.toString()) && third.getCause().getMessage().contains("2 lanes"),
                    third.getCause().getMessage());
            long lane1Owner = QueueDescriptor.laneOffset(8, 8, 1) + QueueDescriptor.LANE_OWNER_OFFSET;
            assertNotEquals(0, Words.getLongVolatile(q.body, lane1Owner));
            other.close(); // frees the lanes leased through it, although the holder still runs
            assertEquals(0, Words.getLongVolatile(q.body, lane1Owner), "lane 1 free for any process");
            sendFromAnotherThread(q, new byte[]{4});
            done.countDown();
            holder.join();
            assertEquals(List.of(1, 2, 1, 4, 1, 1), receiveAll(q), "one message from each lane in turn");
        }
    }

    @Test
    void aLaneOfAThreadThatHasEndedGoesToTheNextThreadThatSends() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (FanInQueue q = FanInQueue.create(file, 1, 4, 8); FanInQueue other = FanInQueue.open(file)) {
            sendFromAnotherThread(q, new byte[]{1});
            sendFromAnotherThread(q, new byte[]{2}); // the first thread has ended: its lane is free
            sendFromAnotherThread(other, new byte[]{3}); // through another handle too
            assertEquals(List.of(1, 2, 3), receiveAll(q));
        }
    }

    /**
     * Threads of one process lease lanes at the same moment through two handles: no two get the
     * same lane (each one's messages arrive complete and in order, none mixed with another's).
     */
    @Test
    void threadsLeasingAtOnceThroughTwoHandlesGetALaneEach() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        ShmFile file = ShmFile.of(dir, "q");
        for (int round = 0; round < 20; round++) {
            try (FanInQueue q = FanInQueue.create(file, threads, 4, 12); FanInQueue other = FanInQueue.open(file)) {
                CountDownLatch start = new CountDownLatch(1);
                List<Thread> senders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int sender = t;
                    FanInQueue through = t % 2 == 0 ? q : other;
                    senders.add(Thread.ofPlatform().start(() -> {
                        ByteBuffer message = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
                        try {
                            start.await();
                            for (long sequence = 0; sequence < perThread; sequence++) {
                                through.put(message.clear().putInt(sender).putLong(sequence).flip());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                start.countDown();
                long[] next = new long[threads];
                long received = 0;
                while (received < (long) threads * perThread) {
                    received += q.drain((b, o, l) -> {
                        int sender = b.get(ValueLayout.JAVA_INT_UNALIGNED, o);
                        assertEquals(next[sender]++, b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 4), "sender " + sender);
                    }, 64, LONG_ENOUGH);
                }
                for (Thread sender : senders) {
                    sender.join();
                }
                assertNull(q.poll(), "nothing more than was sent");
            }
            assertTrue(file.path().toFile().delete());
        }
    }

    /** The consumer takes a batch from one lane, then looks at the next: no lane waits for a busy one to be empty. */
    @Test
    void theConsumerGoesRoundTheLanes() throws Exception {
        try (FanInQueue q = FanInQueue.create(ShmFile.of(dir, "q"), 4, 8, 8)) {
            // Senders that stay alive, so that each keeps its lane: an ended one's would go to the next.
            CountDownLatch done = new CountDownLatch(1);
            for (int lane = 0; lane < 3; lane++) {
                byte value = (byte) (10 * lane);
                CountDownLatch sent = new CountDownLatch(1);
                Thread.ofPlatform().daemon().start(() -> {
                    for (int i = 0; i < 3; i++) {
                        q.offer(new byte[]{(byte) (value + i)});
                    }
                    sent.countDown();
                    try {
                        done.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(sent.await(30, TimeUnit.SECONDS));
            }
            assertEquals(9, q.size());
            List<Integer> batches = new ArrayList<>();
            List<Integer> received = new ArrayList<>();
            int n;
            while ((n = q.drain((b, o, l) -> received.add((int) b.get(ValueLayout.JAVA_BYTE, o)), 2)) > 0) {
                batches.add(n);
            }
            assertEquals(List.of(2, 2, 2, 1, 1, 1), batches);
            assertEquals(List.of(0, 1, 10, 11, 20, 21, 2, 12, 22), received, "two from each lane in turn, then the rest");
            done.countDown();
        }
    }

    /**
     * A producer killed between its two stores of tail leaves the publishing bit set; the next
     * thread to lease the lane moves past the slot if it was published and takes it otherwise.
     */
    @Test
    void aLaneLeftMidPublishGoesOnAfterTheLastMessagePublished() throws Exception {
        for (boolean published : new boolean[]{true, false}) {
            ShmFile file = ShmFile.of(dir, "q" + published);
            try (FanInQueue q = FanInQueue.create(file, 2, 4, 8)) {
                try (FanInQueue producer = FanInQueue.open(file)) {
                    sendFromAnotherThread(producer, new byte[]{1});
                }
                long tail = QueueDescriptor.laneOffset(8, 8, 0) + QueueDescriptor.LANE_TAIL_OFFSET;
                Words.setLongVolatile(q.body, tail, QueueDescriptor.spscPublishingTailWord(1));
                if (published) {
                    Words.setIntVolatile(q.body, q.slotOffset(1) + QueueDescriptor.SLOT_LENGTH_OFFSET, 1);
                    q.body.set(ValueLayout.JAVA_BYTE, q.payloadOffset(1), (byte) 2);
                    Words.setLongVolatile(q.body, q.slotOffset(1) + QueueDescriptor.SLOT_STATE_OFFSET, 2);
                }
                sendFromAnotherThread(q, new byte[]{3});
                assertEquals(published ? List.of(1, 2, 3) : List.of(1, 3), receiveAll(q), "published " + published);
                assertEquals(published ? 3 : 2, QueueDescriptor.spscTailPosition(Words.getLongVolatile(q.body, tail)));
            }
        }
    }

    /**
     * Threads send as fast as they can while another closes the queue at a random moment: every
     * send that returned normally is received, before end of stream, and every one after the
     * close throws. Producers check the close after marking their publish in tail, without a
     * fence; the consumer fences them when it first sees the close (see the notes).
     */
    @Test
    void everySendThatReturnedBeforeTheCloseIsReceived() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int producers = 3;
            AtomicLongArray sent = new AtomicLongArray(producers);
            long[] received = new long[producers];
            // Long messages: a wide window between a sender's first look at the close and its publish.
            try (FanInQueue q = FanInQueue.create(ShmFile.of(dir, "q" + round), 4, 16, 16_384)) {
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < producers; p++) {
                    int producer = p;
                    threads.add(Thread.ofPlatform().start(() -> {
                        ByteBuffer message = ByteBuffer.allocate(16_384).order(ByteOrder.nativeOrder());
                        try {
                            for (long sequence = 0; ; sequence++) {
                                message.clear().put((byte) producer).putLong(sequence).position(message.capacity()).flip();
                                q.put(message);
                                sent.incrementAndGet(producer);
                            }
                        } catch (QueueClosedException expected) {
                            // the close
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                }
                long closeAfterMicros = random.nextLong(0, 2_000);
                Thread closer = Thread.ofPlatform().start(() -> {
                    long until = System.nanoTime() + closeAfterMicros * 1_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    q.closeForSending();
                });
                try {
                    while (true) {
                        q.drain((b, o, l) -> {
                            int producer = b.get(ValueLayout.JAVA_BYTE, o);
                            long sequence = b.get(ValueLayout.JAVA_LONG_UNALIGNED, o + 1);
                            assertEquals(received[producer], sequence, "producer " + producer + "'s next message");
                            received[producer]++;
                        }, 64, LONG_ENOUGH);
                    }
                } catch (EndOfStreamException end) {
                    // drained
                }
                closer.join();
                for (Thread t : threads) {
                    t.join(LONG_ENOUGH.toMillis());
                    assertFalse(t.isAlive(), "a producer still sends after the close");
                }
                for (int p = 0; p < producers; p++) {
                    assertEquals(sent.get(p), received[p], "seed " + seed + " round " + round + ": producer " + p
                            + "'s sends that returned, against messages received");
                }
            }
        }
    }

    @Test
    void badLanesAreRefusedAndAMismatchIsNamed() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> FanInQueue.create(ShmFile.of(dir, "a"), 3, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> FanInQueue.create(ShmFile.of(dir, "a"), 0, 4, 8));
        assertThrows(IllegalArgumentException.class, () -> FanInQueue.create(ShmFile.of(dir, "a"), 2, 1, 8));
        assertThrows(IllegalArgumentException.class, () -> FanInQueue.create(ShmFile.of(dir, "a"), 2, 6, 8));
        ShmFile file = ShmFile.of(dir, "q");
        FanInQueue.create(file, 4, 8, 16).close();
        assertEquals("lanes", assertThrows(RegionMismatchException.class, () -> FanInQueue.open(file, 2, 16, 16)).property());
        assertEquals("kind", assertThrows(RegionMismatchException.class, () -> MpscQueue.open(file)).property());
        FanInQueue.open(file, 4, 8, 16).close();
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            ByteBuffer three = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(3).flip();
            channel.write(three, RegionDescriptor.parameterOffset(QueueDescriptor.FLAGS_PARAMETER));
        }
        QueueCorruptedException e = assertThrows(QueueCorruptedException.class, () -> FanInQueue.open(file));
        assertTrue(e.getMessage().contains("3 lanes"), e.getMessage());
    }

    private static List<Integer> receiveAll(ShmQueue q) {
        List<Integer> values = new ArrayList<>();
        byte[] message;
        while ((message = q.poll()) != null) {
            values.add((int) message[0]);
        }
        return values;
    }
}
