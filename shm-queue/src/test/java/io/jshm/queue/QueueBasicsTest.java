package io.jshm.queue;

import io.jshm.core.os.Futex;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Single-process behaviour of both queues: every send and receive form, bounds, wrap-around, close. */
class QueueBasicsTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static byte[] message(int length, int seed) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) {
            m[i] = (byte) (seed * 31 + i * 7);
        }
        return m;
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void everySendAndReceiveFormRoundTrips(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 8, 100); Arena arena = Arena.ofConfined()) {
            assertTrue(q.isEmpty());
            assertEquals(kind.capacity(8), q.capacity());
            assertEquals(100, q.maxMessageLength());
            assertTrue(q.offer(message(10, 1)));
            assertTrue(q.offer(ByteBuffer.wrap(message(20, 2))));
            ByteBuffer direct = ByteBuffer.allocateDirect(30).put(message(30, 3)).flip();
            assertTrue(q.offer(direct));
            assertEquals(0, direct.remaining());
            MemorySegment seg = arena.allocate(40);
            MemorySegment.copy(message(40, 4), 0, seg, ValueLayout.JAVA_BYTE, 0, 40);
            q.put(seg);
            q.put(new byte[0]);
            assertTrue(q.offer(message(100, 6), Duration.ofMillis(1)));
            q.putString("héllo");
            assertEquals(7, q.size());
            assertEquals(kind.capacity(8) - 7, q.remainingCapacity());

            assertArrayEquals(message(10, 1), q.poll());
            byte[] into = new byte[100];
            assertEquals(20, q.poll(into));
            assertArrayEquals(message(20, 2), Arrays.copyOf(into, 20));
            ByteBuffer buffer = ByteBuffer.allocateDirect(128);
            assertEquals(30, q.take(buffer));
            assertEquals(30, buffer.position());
            byte[] fromBuffer = new byte[30];
            buffer.flip().get(fromBuffer);
            assertArrayEquals(message(30, 3), fromBuffer);
            MemorySegment dst = arena.allocate(100);
            assertEquals(40, q.take(dst));
            assertArrayEquals(message(40, 4), dst.asSlice(0, 40).toArray(ValueLayout.JAVA_BYTE));
            List<byte[]> seen = new ArrayList<>();
            assertTrue(q.read((b, off, len) -> {
                assertTrue(b.isReadOnly());
                seen.add(b.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
            }));
            assertEquals(0, seen.getFirst().length);
            assertArrayEquals(message(100, 6), q.poll(Duration.ofMillis(1)));
            assertEquals("héllo", q.takeString());
            assertNull(q.poll());
            assertEquals(ShmQueue.EMPTY, q.poll(into));
            assertFalse(q.read((b, off, len) -> fail()));
            assertNull(q.poll(Duration.ofMillis(5)));
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void maxLengthIsAcceptedAndMaxPlusOneRejectedBeforeClaiming(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 2, 64)) {
            q.put(message(64, 9));
            MessageTooLongException e = assertThrows(MessageTooLongException.class, () -> q.offer(new byte[65]));
            assertEquals(65, e.length());
            assertEquals(64, e.maxLength());
            assertThrows(MessageTooLongException.class, () -> q.put(ByteBuffer.allocate(65)));
            assertThrows(MessageTooLongException.class, () -> q.offer(MemorySegment.ofArray(new byte[65]), Duration.ofSeconds(1)));
            assertEquals(1, q.size());
            assertArrayEquals(message(64, 9), q.take());
            assertThrows(IllegalArgumentException.class, () -> q.poll(new byte[63]), "destination shorter than max");
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void fullQueueRefusesAndTimedOfferReturnsFalseInBound(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 4, 8)) {
            for (int i = 0; i < 4; i++) {
                assertTrue(q.offer(message(8, i)));
            }
            // A fan-in queue refuses this thread when its lane is full, with the other lanes empty.
            assertEquals(kind != QueueKind.FAN_IN, q.isFull());
            assertFalse(q.offer(message(1, 0)));
            long start = System.nanoTime();
            assertFalse(q.offer(message(1, 0), Duration.ofMillis(100)));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(tookMillis >= 99 && tookMillis < 2_000, "took " + tookMillis + " ms");
            assertArrayEquals(message(8, 0), q.poll());
            assertTrue(q.offer(message(3, 5)));
        }
    }

    /** A wait shorter than the spin ends without arming the futex word (which would cost the next sender a wake-up call). */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void aTimeoutSpentSpinningLeavesNoParkedMark(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 4, 8)) {
            MessageHandler ignore = (b, off, len) -> { };
            for (int i = 0; i < 100; i++) {
                assertNull(q.poll(Duration.ofNanos(1_000)));
                // A drain's pause without looking (1 µs) is cut short by a shorter timeout too.
                assertEquals(0, q.drain(ignore, 8, Duration.ofNanos(500)));
                assertEquals(0, q.drain(ignore, 8, Duration.ofNanos(1_000)));
            }
            assertEquals(0, Words.getIntVolatile(q.body, QueueDescriptor.NOT_EMPTY_SEQUENCE_OFFSET),
                    "not-empty futex word");
            long callsBefore = Futex.systemCallCount();
            assertTrue(q.offer(message(8, 1)));
            assertEquals(0, Futex.systemCallCount() - callsBefore, "futex calls of a send nobody waits for");
            // The same on a full queue, whose MpmcQueue producers pause too.
            while (q.offer(message(8, 2))) {
                // fill it
            }
            for (int i = 0; i < 100; i++) {
                assertFalse(q.offer(message(8, 3), Duration.ofNanos(500)));
                assertFalse(q.offer(message(8, 3), Duration.ofNanos(1_000)));
            }
            assertEquals(0, Words.getIntVolatile(q.body, QueueDescriptor.NOT_FULL_SEQUENCE_OFFSET),
                    "not-full futex word");
            callsBefore = Futex.systemCallCount();
            assertArrayEquals(message(8, 1), q.poll());
            assertEquals(0, Futex.systemCallCount() - callsBefore, "futex calls of a receive nobody waits for");
        }
    }

    /** Start the ring at every position near the end of a lap, then fill it and drain it across the end. */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void wrapsAroundAtEveryOffsetNearTheEnd(QueueKind kind) throws Exception {
        int capacity = 8;
        for (int start = 0; start <= 2 * capacity; start++) {
            ShmFile file = ShmFile.of(dir, "wrap" + start);
            try (ShmQueue q = kind.create(file, capacity, 33)) {
                for (int i = 0; i < start; i++) {
                    q.put(message(i % 34, i));
                    assertArrayEquals(message(i % 34, i), q.take());
                }
                for (int i = 0; i < capacity; i++) {
                    assertTrue(q.offer(message((start + i) % 34, 1000 + i)), "start " + start + " i " + i);
                }
                assertFalse(q.offer(new byte[1]));
                for (int i = 0; i < capacity; i++) {
                    assertArrayEquals(message((start + i) % 34, 1000 + i), q.poll(), "start " + start + " i " + i);
                }
                assertNull(q.poll());
            }
            ShmQueue reopened = kind.open(file);
            reopened.close();
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void drainHandsOverBatchesWithoutCopying(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 16, 16)) {
            for (int i = 0; i < 10; i++) {
                q.put(message(i, i));
            }
            List<byte[]> got = new ArrayList<>();
            MessageHandler collect = (b, off, len) -> got.add(b.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(4, q.drain(collect, 4));
            assertEquals(6, q.drain(collect, 100, Duration.ofMillis(10)));
            assertEquals(0, q.drain(collect, 100));
            for (int i = 0; i < 10; i++) {
                assertArrayEquals(message(i, i), got.get(i));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void waitingDrainWaitsOnPastItsGatheringPauseForAMessageAndForTheEndOfTheStream(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 8, 8)) {
            List<byte[]> got = new ArrayList<>();
            MessageHandler collect = (b, off, len) -> got.add(b.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
            // A timeout shorter than the pause: one more look when it ends, nothing found.
            assertEquals(0, q.drain(collect, 8, Duration.ofNanos(1)));
            // Parked is past the pause; the drain must still wake for a message...
            var drained = new FutureTask<>(() -> q.drain(collect, 8, Duration.ofSeconds(10)));
            Thread.ofPlatform().daemon().start(drained);
            QueueWaiters.awaitWaiting(q, QueueDescriptor.CONSUMERS_WAITING_OFFSET, 1);
            q.put(message(5, 1));
            assertEquals(1, drained.get(2, TimeUnit.SECONDS));
            assertEquals(1, got.size());
            assertArrayEquals(message(5, 1), got.get(0));
            // ...and for the end of the stream.
            var ended = new FutureTask<>(() -> assertThrows(EndOfStreamException.class,
                    () -> q.drain(collect, 8, Duration.ofSeconds(10))));
            Thread.ofPlatform().daemon().start(ended);
            QueueWaiters.awaitWaiting(q, QueueDescriptor.CONSUMERS_WAITING_OFFSET, 1);
            q.closeForSending();
            ended.get(2, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void handlerThrowingMidBatchConsumesThatMessageAndGivesEverySlotBack(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 8, 8)) {
            for (int i = 0; i < 5; i++) {
                q.put(new byte[]{(byte) i});
            }
            List<Integer> seen = new ArrayList<>();
            assertThrows(IllegalStateException.class, () -> q.drain((b, off, len) -> {
                int value = b.get(ValueLayout.JAVA_BYTE, off);
                seen.add(value);
                if (value == 2) {
                    throw new IllegalStateException("boom");
                }
            }, 100));
            assertEquals(List.of(0, 1, 2), seen);
            assertEquals(2, q.size());
            for (int i = 0; i < 6; i++) {
                assertTrue(q.offer(new byte[]{(byte) (10 + i)}), "slot " + i + " was given back");
            }
            assertEquals(kind != QueueKind.FAN_IN, q.isFull()); // a fan-in queue: this thread's lane only
            assertFalse(q.offer(new byte[1]), "full");
            byte[] expected = {3, 4, 10, 11, 12, 13, 14, 15};
            for (byte e : expected) {
                assertEquals(e, q.poll()[0]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void closeForSendingDrainsThenSignalsEndOfStream(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 4, 8); ShmQueue other = kind.open(file)) {
            q.put(message(3, 1));
            q.put(message(4, 2));
            other.closeForSending();
            assertTrue(q.isClosedForSending());
            assertThrows(QueueClosedException.class, () -> q.offer(new byte[1]));
            assertThrows(QueueClosedException.class, () -> q.put(new byte[1]));
            assertArrayEquals(message(3, 1), q.take());
            assertArrayEquals(message(4, 2), q.poll(Duration.ofSeconds(1)));
            assertThrows(EndOfStreamException.class, q::take);
            assertThrows(EndOfStreamException.class, q::poll);
            assertThrows(EndOfStreamException.class, () -> q.drain((b, o, l) -> { }, 10));
            assertThrows(EndOfStreamException.class, () -> q.poll(Duration.ofSeconds(1)));
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void parkedThreadsWakeOnClose(QueueKind kind) throws Exception {
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 2, 8); ShmQueue full = kind.create(ShmFile.of(dir, "full"), 2, 8)) {
            // A failed assertion in either thread fails its get() below. The producer fills the
            // queue itself: a fan-in queue's other threads would send into lanes of their own.
            var consumer = new FutureTask<>(() -> assertThrows(EndOfStreamException.class, q::take));
            var producer = new FutureTask<>(() -> {
                full.put(new byte[1]);
                full.put(new byte[1]);
                return assertThrows(QueueClosedException.class, () -> full.put(new byte[1]));
            });
            Thread.ofPlatform().daemon().start(consumer);
            Thread.ofPlatform().daemon().start(producer);
            QueueWaiters.awaitWaiting(q, QueueDescriptor.CONSUMERS_WAITING_OFFSET, 1);
            QueueWaiters.awaitWaiting(full, QueueDescriptor.PRODUCERS_WAITING_OFFSET, 1);
            assertFalse(consumer.isDone(), "the consumer is parked on the empty queue");
            assertFalse(producer.isDone(), "the producer is parked on the full queue");
            long slicesBefore = Futex.slicesRunOutCount();
            q.closeForSending();
            full.closeForSending();
            consumer.get(2, TimeUnit.SECONDS);
            producer.get(2, TimeUnit.SECONDS);
            // Woken by the close, not found by a slice running out.
            assertEquals(slicesBefore, Futex.slicesRunOutCount(), "parks that ran out their slice");
        }
    }

    @Test
    void steppingOverAnAbandonedSendWakesJoiners() throws Exception {
        try (JoinableQueue q = JoinableQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            MemorySegment gone;
            try (Arena arena = Arena.ofConfined()) {
                gone = arena.allocate(8);
            }
            // The copy from a closed arena fails after the claim: the slot is abandoned (SKIPPED).
            assertThrows(IllegalStateException.class, () -> q.offer(gone));
            var joined = new FutureTask<>(() -> q.join(Duration.ofSeconds(30)));
            Thread.ofPlatform().daemon().start(joined);
            QueueWaiters.awaitWaiting(q, QueueDescriptor.JOINERS_WAITING_OFFSET, 1);
            int sequence = Words.getIntVolatile(q.body, QueueDescriptor.JOIN_SEQUENCE_OFFSET);
            assertNull(q.poll(), "nothing to receive: the consumer only steps over the abandoned slot");
            assertNotEquals(sequence, Words.getIntVolatile(q.body, QueueDescriptor.JOIN_SEQUENCE_OFFSET),
                    "stepping over the last slot made the queue empty, so joiners must be woken, not left to their slice");
            assertTrue(joined.get(10, TimeUnit.SECONDS), "join() returns true: nothing is left to do");
            assertTrue(q.isEmpty());
            assertEquals(0, q.stats().skippedClaims(), "a send that failed in this process is not a dead producer's claim");
        }
    }
}
