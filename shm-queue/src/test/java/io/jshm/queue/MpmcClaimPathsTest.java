package io.jshm.queue;

import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The branches of {@link MpmcQueue}'s claim and acquire that a handle reaches through the witness
 * of a failed CAS, after a success made it CAS first: each test first sends or receives once,
 * so that the next call takes the CAS-first path, then puts the slot in the state to test
 * (directly in the file where only another process could put it there). And where a batch
 * ends, among slots other consumers hold.
 */
class MpmcClaimPathsTest {
    private static final int ME = (int) ProcessHandle.current().pid();

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String received(MpmcQueue q) {
        byte[] m = q.poll();
        return m == null ? null : new String(m, StandardCharsets.UTF_8);
    }

    private static void setState(MpmcQueue q, long position, int kind, int pid) {
        Words.setLongVolatile(q.body, q.slotOffset(position), QueueDescriptor.state(position, kind, pid));
    }

    @Test
    void aReceiverExpectingAMessageStepsOverAnAbandonedSlot() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 8, 16)) {
            assertTrue(q.offer(text("a")));
            assertEquals("a", received(q));
            MemorySegment gone;
            try (Arena arena = Arena.ofConfined()) {
                gone = arena.allocate(4);
            }
            assertThrows(IllegalStateException.class, () -> q.offer(gone), "the copy fails after the claim");
            assertTrue(q.offer(text("b")));
            assertEquals("b", received(q), "the abandoned slot (position 1) is stepped over");
            assertNull(received(q));
            assertTrue(q.isEmpty());
            assertEquals(new QueueStats(0, 0), q.stats(), "a failed copy is neither a dead claim nor a dead read");
        }
    }

    @Test
    void aReceiverExpectingAMessageWaitsForASlotALiveProducerHolds() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 8, 16)) {
            assertTrue(q.offer(text("a")));
            assertEquals("a", received(q));
            setState(q, 1, QueueDescriptor.KIND_CLAIMED, ME); // a live producer (this process) is writing position 1
            assertNull(received(q), "claimed, not published: nothing to read yet");
            assertNull(received(q), "and again, now reading first");
            setState(q, 1, QueueDescriptor.KIND_EMPTY, 0);  // that producer gave the slot back untouched
            assertTrue(q.offer(text("b")));
            assertEquals("b", received(q));
        }
    }

    @Test
    void aReceiverExpectingAMessageHelpsHeadPastASlotAnotherConsumerIsReading() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            assertTrue(q.offer(text("a")));
            assertTrue(q.offer(text("b")));
            assertEquals("a", received(q));
            setState(q, 1, QueueDescriptor.KIND_READING, ME); // another consumer took "b" and has not moved head yet
            assertNull(received(q), "b is being read by the other consumer; nothing else is there");
            assertEquals(2, Words.getLongVolatile(q.body, QueueDescriptor.HEAD_OFFSET), "head was helped past position 1");
            setState(q, 1 + 4, QueueDescriptor.KIND_EMPTY, 0); // the other consumer finishes: slot 1 is free for the next lap
            assertTrue(q.offer(text("c")));
            assertEquals("c", received(q));
            for (String s : new String[] {"d", "e", "f", "g"}) {
                assertTrue(q.offer(text(s)), "a whole lap fits again, through the slot given back: " + s);
            }
            assertFalse(q.offer(text("h")), "full");
            for (String s : new String[] {"d", "e", "f", "g"}) {
                assertEquals(s, received(q));
            }
            assertNull(received(q));
        }
    }

    /**
     * A batch is a run of adjacent messages, held until its end: it stops where another consumer
     * took the next message, and gives back its own slots only (their lengths and payloads zeroed,
     * which nothing may read as a message).
     */
    @Test
    void aBatchEndsWhereAnotherConsumerTookTheNextMessageAndGivesBackOnlyItsOwnSlots() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            for (String s : new String[] {"a", "b", "c", "d"}) {
                assertTrue(q.offer(text(s)));
            }
            setState(q, 2, QueueDescriptor.KIND_READING, ME); // another consumer took "c", head not moved yet
            List<String> got = new ArrayList<>();
            MessageHandler collect = (b, off, len) -> got.add(new String(
                    b.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            assertEquals(2, q.drain(collect, 10));
            assertEquals(List.of("a", "b"), got);
            for (long position = 0; position < 2; position++) {
                assertEquals(QueueDescriptor.state(position + 4, QueueDescriptor.KIND_EMPTY, 0),
                        Words.getLongVolatile(q.body, q.slotOffset(position)), "given back: position " + position);
                assertEquals(0, q.readLength(position), "zeroed: position " + position);
                assertEquals(0, q.body.get(ValueLayout.JAVA_BYTE, q.payloadOffset(position)), "zeroed: position " + position);
            }
            assertEquals(QueueDescriptor.state(2, QueueDescriptor.KIND_READING, ME),
                    Words.getLongVolatile(q.body, q.slotOffset(2)), "the other consumer's slot is not touched");
            assertTrue(q.offer(text("e")));
            assertTrue(q.offer(text("f")));
            assertFalse(q.offer(text("g")), "full: the other consumer still holds the slot of position 2");
            setState(q, 2 + 4, QueueDescriptor.KIND_EMPTY, 0); // the other consumer gives "c" back
            got.clear();
            assertEquals(3, q.drain(collect, 10));
            assertEquals(List.of("d", "e", "f"), got);
            assertEquals(0, q.drain(collect, 10));
            assertTrue(q.isEmpty());
            assertEquals(new QueueStats(0, 0), q.stats());
        }
    }

    /**
     * A joinable queue's drain holds a slot only while its handler runs: a consumer that died
     * holding a whole batch would give back, with the slots, tasks its handler had marked done.
     */
    @Test
    void aJoinableQueueDrainGivesEachSlotBackOnceItsMessageIsHandled() throws Exception {
        try (JoinableQueue q = JoinableQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            for (String s : new String[] {"a", "b", "c"}) {
                assertTrue(q.offer(text(s)));
            }
            List<Long> previousSlotStates = new ArrayList<>();
            long[] position = {0};
            MessageHandler handle = (b, off, len) -> {
                if (position[0] > 0) {
                    previousSlotStates.add(Words.getLongVolatile(q.body, q.slotOffset(position[0] - 1)));
                }
                position[0]++;
                q.taskDone();
            };
            assertEquals(3, q.drain(handle, 10));
            assertEquals(List.of(QueueDescriptor.state(4, QueueDescriptor.KIND_EMPTY, 0),
                    QueueDescriptor.state(5, QueueDescriptor.KIND_EMPTY, 0)), previousSlotStates,
                    "each slot given back before the next message's handler ran");
            assertEquals(QueueDescriptor.state(6, QueueDescriptor.KIND_EMPTY, 0), Words.getLongVolatile(q.body, q.slotOffset(2)));
            assertTrue(q.join(Duration.ofSeconds(1)), "every task done");
        }
    }

    @Test
    void aSenderExpectingRoomFindsTheQueueFullThenRoomAgain() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            for (String s : new String[] {"a", "b", "c", "d"}) {
                assertTrue(q.offer(text(s)));
            }
            assertFalse(q.offer(text("e")), "full: the slot still holds the previous lap's message");
            assertFalse(q.offer(text("e")), "still full, now reading first");
            assertEquals("a", received(q));
            assertTrue(q.offer(text("e")));
            assertFalse(q.offer(text("f")));
            for (String s : new String[] {"b", "c", "d", "e"}) {
                assertEquals(s, received(q));
            }
            assertNull(received(q));
            assertEquals(0, q.size());
        }
    }

    @Test
    void aSenderExpectingRoomHelpsTailPastASlotAnotherProducerClaimed() {
        try (MpmcQueue q = MpmcQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            assertTrue(q.offer(text("a")));
            setState(q, 1, QueueDescriptor.KIND_CLAIMED, ME); // another producer claimed position 1, tail not moved yet
            assertTrue(q.offer(text("b")), "b goes to position 2");
            assertEquals(3, Words.getLongVolatile(q.body, QueueDescriptor.TAIL_OFFSET));
            assertEquals("a", received(q));
            assertNull(received(q), "position 1 is still being written");
            Words.setInt(q.body, q.slotOffset(1) + QueueDescriptor.SLOT_LENGTH_OFFSET, 0);
            setState(q, 1, QueueDescriptor.KIND_FULL, 0);   // the other producer publishes an empty message
            assertArrayEquals(new byte[0], q.poll());
            assertEquals("b", received(q));
        }
    }
}
