package io.jshm.queue;

import io.jshm.core.region.RegionDescriptor;
import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.ShmTempDir;
import io.jshm.core.sync.ShmLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/** Bad files give specific exceptions: never a hang, never a read outside the mapping. */
class QueueFileValidationTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static void poke(ShmFile file, long bodyOffset, long value, int size) throws IOException {
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            if (size == 8) {
                b.putLong(value);
            } else {
                b.putInt((int) value);
            }
            channel.write(b.flip(), RegionDescriptor.HEADER_SIZE + bodyOffset);
        }
    }

    @Test
    void wrongKindCapacityMaxLengthOrJoinabilityIsAMismatch() {
        ShmFile file = ShmFile.of(dir, "q");
        SpscQueue.create(file, 8, 16).close();
        RegionMismatchException kind = assertThrows(RegionMismatchException.class, () -> MpmcQueue.open(file));
        assertEquals("kind", kind.property());
        assertEquals("capacity", assertThrows(RegionMismatchException.class, () -> SpscQueue.open(file, 16, 16)).property());
        assertEquals("maximum message length",
                assertThrows(RegionMismatchException.class, () -> SpscQueue.open(file, 8, 17)).property());
        assertEquals("maximum message length",
                assertThrows(RegionMismatchException.class, () -> SpscQueue.openOrCreate(file, 8, 17)).property());
        SpscQueue.open(file, 8, 16).close();

        ShmFile joinable = ShmFile.of(dir, "j");
        JoinableQueue.create(joinable, 4, 4).close();
        assertEquals("queue flags", assertThrows(RegionMismatchException.class, () -> MpmcQueue.open(joinable)).property());
        MpmcQueue.create(ShmFile.of(dir, "m"), 4, 4).close();
        assertThrows(RegionMismatchException.class, () -> JoinableQueue.open(ShmFile.of(dir, "m")));
        ShmLock.create(ShmFile.of(dir, "lock")).close();
        assertThrows(RegionMismatchException.class, () -> SpscQueue.open(ShmFile.of(dir, "lock")));
    }

    @Test
    void badParametersAreRefusedAtCreation() {
        assertThrows(IllegalArgumentException.class, () -> SpscQueue.create(ShmFile.of(dir, "a"), 3, 8));
        assertThrows(IllegalArgumentException.class, () -> SpscQueue.create(ShmFile.of(dir, "a"), 1, 8));
        assertThrows(IllegalArgumentException.class, () -> MpmcQueue.create(ShmFile.of(dir, "a"), 4, -1));
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void headOrTailOutsideTheRingFailsOnOpen(QueueKind kind) throws IOException {
        ShmFile file = ShmFile.of(dir, "q");
        kind.create(file, 8, 16).close();
        poke(file, kind.tailOffset(8, 16), kind.tailWord(1_000), 8);
        assertThrows(QueueCorruptedException.class, () -> kind.open(file));
        poke(file, kind.tailOffset(8, 16), kind.tailWord(0), 8);
        poke(file, kind.headOffset(8, 16), 5, 8);
        assertThrows(QueueCorruptedException.class, () -> kind.open(file));
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void headOrTailCorruptedWhileOpenFailsOnUse(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 8, 16)) {
            for (int i = 0; i < 8; i++) {
                q.put(new byte[3]);
            }
            poke(file, kind.headOffset(8, 16), -77, 8);
            assertThrows(QueueCorruptedException.class, () -> q.poll(Duration.ofSeconds(5)));
            if (kind == QueueKind.MPMC) {
                // MPMC producers judge by slot states, not by head: the ring is full, and they say so in bound.
                assertFalse(q.offer(new byte[1], Duration.ofMillis(50)));
            } else {
                assertThrows(QueueCorruptedException.class, () -> q.offer(new byte[1], Duration.ofSeconds(5)));
            }
        }
        ShmFile other = ShmFile.of(dir, "r");
        try (ShmQueue q = kind.create(other, 8, 16)) {
            poke(other, kind.tailOffset(8, 16), kind.tailWord(123_456_789), 8);
            // Consumers judge by slot states, not by tail: the ring is empty, and they say so in bound.
            assertNull(q.poll(Duration.ofMillis(50)));
            assertThrows(QueueCorruptedException.class, () -> q.offer(new byte[1], Duration.ofSeconds(5)));
        }
    }

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void recordLengthOutsideTheSlotFailsOnRead(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 4, 16)) {
            q.put(new byte[5]);
            q.put(new byte[5]);
            poke(file, QueueDescriptor.SLOTS_OFFSET + QueueDescriptor.SLOT_LENGTH_OFFSET, 1 << 30, 4);
            assertThrows(QueueCorruptedException.class, q::take);
            long second = QueueDescriptor.SLOTS_OFFSET + QueueDescriptor.slotSize(16) + QueueDescriptor.SLOT_LENGTH_OFFSET;
            poke(file, second, -1, 4);
            assertThrows(QueueCorruptedException.class, () -> q.read((b, o, l) -> fail("handler must not run")));
        }
    }

    /**
     * A drain that meets a corrupted length throws, and still gives back every slot of its batch:
     * the queue goes on with the next message and its whole capacity (an {@link MpmcQueue}
     * consumer that kept its batch would hold those slots for as long as it lives).
     */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void recordLengthOutsideTheSlotFailsADrainThatStillGivesItsBatchBack(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = queueHolding(kind, file, 0, 1, 2)) {
            poke(file, QueueDescriptor.SLOTS_OFFSET + QueueDescriptor.slotSize(16) + QueueDescriptor.SLOT_LENGTH_OFFSET,
                    1 << 30, 4);
            List<Byte> got = new ArrayList<>();
            MessageHandler collect = (b, o, l) -> got.add(b.get(ValueLayout.JAVA_BYTE, o));
            assertThrows(QueueCorruptedException.class, () -> q.drain(collect, 10));
            assertEquals(List.of((byte) 0), got, "the message before the corrupted one was handled");
            assertEquals(1, q.drain(collect, 10));
            assertEquals(List.of((byte) 0, (byte) 2), got, "the queue goes on after the corrupted message");
            for (int i = 0; i < 4; i++) {
                assertTrue(q.offer(new byte[] {(byte) i}), "room for a whole ring again: " + i);
            }
            assertFalse(q.offer(new byte[1]));
        }
    }

    /**
     * A queue opened while another thread moves its counters is never taken for a corrupt one.
     * A pump sends and takes on a 2-slot queue as fast as it can, so head passes a tail read a
     * moment earlier; each open reads head and tail as a pair (see ShmQueue.checkCounters).
     * Reading tail and then head once (the first version) failed here.
     */
    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void openingAQueueUnderTrafficFindsItConsistent(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 2, 8)) {
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong pumped = new AtomicLong();
            Thread pump = Thread.ofPlatform().start(() -> {
                byte[] message = new byte[8];
                while (!stop.get()) {
                    if (q.offer(message)) {
                        q.poll();
                        pumped.incrementAndGet();
                    }
                }
            });
            int opens = 0;
            try {
                for (long end = System.nanoTime() + Duration.ofSeconds(1).toNanos(); System.nanoTime() - end < 0; opens++) {
                    kind.open(file).close();
                }
            } finally {
                stop.set(true);
                pump.join();
            }
            assertTrue(pumped.get() > opens, "the pump moved " + pumped.get() + " messages during " + opens + " opens");
        }
    }

    @Test
    void spscProducerKilledBetweenPublishingAndStoringTailLosesNothing() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (SpscQueue q = spscQueueHolding(file, 1, 2)) {
            // What a producer killed between publishing and storing tail leaves: slot 1 published, tail 1 marked publishing.
            pokeSpscTailPublishing(file, 1);
            try (SpscQueue takeover = SpscQueue.open(file)) {
                takeover.put(new byte[] {3});
                assertReceivesThenNothing(takeover, 1, 2, 3);
                assertTrue(takeover.isEmpty());
            }
        }
    }

    @Test
    void spscProducerKilledAfterMarkingTailAndBeforePublishingLeavesItsSlotToTheNext() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (SpscQueue q = spscQueueHolding(file, 1, 2)) {
            // A producer killed between marking tail 2 publishing and storing slot 2's sequence.
            pokeSpscTailPublishing(file, 2);
            q.put(new byte[] {3});
            assertReceivesThenNothing(q, 1, 2, 3); // 3 not skipped past slot 2, which was never published
        }
    }

    @Test
    void spscProducerResumingAfterAnotherWasKilledBetweenPublishingAndStoringTailLosesNothing() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (SpscQueue first = spscQueueHolding(file, 1)) {
            try (SpscQueue second = SpscQueue.open(file)) {
                second.put(new byte[] {2});
            }
            // The second producer died before storing tail 2; the first, which claimed before, sends again.
            pokeSpscTailPublishing(file, 1);
            first.put(new byte[] {3});
            assertReceivesThenNothing(first, 1, 2, 3);
            assertTrue(first.isEmpty());
        }
    }

    /** Read singly, the slot keeps its sequence; drained, it is given back zeroed, and no sequence says 2 was published. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void spscProducerKilledBetweenPublishingAndStoringTailWhoseMessageWasConsumedLeavesAnOpenableQueue(boolean drained)
            throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (SpscQueue q = spscQueueHolding(file, 1, 2)) {
            if (drained) {
                assertEquals(2, q.drain((buffer, offset, length) -> { }, 8));
            } else {
                assertReceivesThenNothing(q, 1, 2);
            }
            // The producer died before storing tail 2, and its message was consumed: tail 1 marked publishing, head 2.
            pokeSpscTailPublishing(file, 1);
            try (SpscQueue takeover = SpscQueue.open(file)) {
                assertTrue(takeover.isEmpty());
                takeover.put(new byte[] {3});
                assertReceivesThenNothing(takeover, 3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "MPSC", "FAN_IN"})
    void consumerKilledWhileZeroingABatchItReadLeavesTheRestToTheNext(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = queueHolding(kind, file, 1, 2, 3)) {
            // A consumer that read 1 and 2 in one batch, marked its batch end and was killed
            // after writing zeros over the first slot (MPSC: but its state), before storing head.
            poke(file, kind.batchEndOffset(4, 16), 2, 8);
            poke(file, QueueDescriptor.SLOTS_OFFSET + (kind == QueueKind.MPSC ? QueueDescriptor.SLOT_LENGTH_OFFSET : 0), 0, 8);
            try (ShmQueue takeover = kind.open(file)) {
                assertReceivesThenNothing(takeover, 3);
                for (int message = 4; message <= 7; message++) { // all 4 slots free again
                    assertTrue(takeover.offer(new byte[] {(byte) message}), "message " + message);
                }
                assertReceivesThenNothing(takeover, 4, 5, 6, 7);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "FAN_IN"})
    void producerRepairingAfterAKilledProducerDoesNotReuseASlotAKilledConsumerWasZeroing(QueueKind kind)
            throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = queueHolding(kind, file, 1, 2)) {
            // The producer of 2 was killed between publishing it and storing tail; a consumer
            // drained 1 and 2, marked its batch end and was killed after zeroing both sequences.
            poke(file, kind.tailOffset(4, 16), QueueDescriptor.spscPublishingTailWord(1), 8);
            poke(file, kind.batchEndOffset(4, 16), 2, 8);
            long slotSize = QueueDescriptor.slotSize(16);
            poke(file, QueueDescriptor.SLOTS_OFFSET, 0, 8);
            poke(file, QueueDescriptor.SLOTS_OFFSET + slotSize, 0, 8);
            q.put(new byte[] {3}); // repairs tail: 2 was published, though its slot no longer says so
            try (ShmQueue takeover = kind.open(file)) {
                assertReceivesThenNothing(takeover, 3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "MPSC", "FAN_IN"})
    void batchEndNoBatchCouldHaveLeftFailsOnUse(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = queueHolding(kind, file, 1, 2)) {
            poke(file, kind.batchEndOffset(4, 16), 4, 8); // past tail 2 (and the one more a dead producer may leave)
            QueueCorruptedException e = assertThrows(QueueCorruptedException.class, () -> q.poll(Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains(file.path().toString()) && e.getMessage().contains("batch end 4"),
                    e.getMessage());
            poke(file, kind.batchEndOffset(4, 16), 1, 8);
            poke(file, QueueDescriptor.SLOTS_OFFSET, 9, 8); // the slot at head: neither position 0 published nor zeros
            assertThrows(QueueCorruptedException.class, () -> q.poll(Duration.ofSeconds(5)));
        }
    }

    /** A new 4-slot SPSC queue holding the one-byte messages {@code messages}. */
    /** A new queue of 4 slots of up to 16 bytes holding one-byte {@code messages}. */
    private static ShmQueue queueHolding(QueueKind kind, ShmFile file, int... messages) throws InterruptedException {
        ShmQueue q = kind.create(file, 4, 16);
        for (int message : messages) {
            q.put(new byte[] {(byte) message});
        }
        return q;
    }

    private static SpscQueue spscQueueHolding(ShmFile file, int... messages) throws InterruptedException {
        return (SpscQueue) queueHolding(QueueKind.SPSC, file, messages);
    }

    /** What an SPSC producer killed while publishing the message at {@code position} leaves in the file. */
    private static void pokeSpscTailPublishing(ShmFile file, long position) throws IOException {
        poke(file, QueueDescriptor.TAIL_OFFSET, QueueDescriptor.spscPublishingTailWord(position), 8);
    }

    /** Polls the one-byte messages {@code expected} from {@code q}, in order, then nothing (never blocks). */
    private static void assertReceivesThenNothing(ShmQueue q, int... expected) {
        for (int message : expected) {
            assertArrayEquals(new byte[] {(byte) message}, q.poll());
        }
        assertNull(q.poll());
    }

    @Test
    void spscSlotSequenceOfNoPositionFailsInsteadOfWaiting() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (SpscQueue q = SpscQueue.create(file, 4, 16)) {
            q.put(new byte[5]);
            assertEquals(5, q.take().length);
            poke(file, QueueDescriptor.SLOTS_OFFSET + QueueDescriptor.slotSize(16), 0x7777_7777L, 8);
            assertThrows(QueueCorruptedException.class, () -> q.poll(Duration.ofSeconds(5)));
        }
    }

    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC"})
    void slotStateOfNoPositionFailsInsteadOfLooping(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 4, 16)) {
            q.put(new byte[5]);
            poke(file, QueueDescriptor.SLOTS_OFFSET, 0x7777_7777_7777_7777L, 8);
            assertThrows(QueueCorruptedException.class, () -> q.poll(Duration.ofSeconds(5)));
            if (kind == QueueKind.MPMC) {
                // MPSC producers never read the slot they claim; MPMC ones do.
                poke(file, QueueDescriptor.SLOTS_OFFSET + QueueDescriptor.slotSize(16), 0x1234_5678_9ABCL, 8);
                assertThrows(QueueCorruptedException.class, () -> q.offer(new byte[1], Duration.ofSeconds(5)));
            }
        }
    }
}
