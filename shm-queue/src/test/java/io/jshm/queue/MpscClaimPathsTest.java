package io.jshm.queue;

import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.jshm.queue.QueueDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link MpscQueue}'s claim bookkeeping, driven deterministically: the file is put in the state
 * another process would leave (a claim whose owner is only in the tail word, positions about to
 * wrap), then this process claims, publishes and receives.
 */
class MpscClaimPathsTest {
    /** A pid that is certainly alive and certainly not this process: init. */
    private static final int OTHER = 1;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static long slotState(MpscQueue q, long position) {
        return Words.getLongVolatile(q.body, q.slotOffset(position));
    }

    @Test
    void aClaimByAnotherProcessIsRecordedInItsSlotByTheNextClaimant() throws Exception {
        try (MpscQueue q = MpscQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            // Another process claimed position 0: its pid is in the tail word only.
            Words.setLongVolatile(q.body, TAIL_OFFSET, tailWord(1, OTHER));
            assertTrue(q.offer(new byte[]{42}));
            assertEquals(state(0, KIND_CLAIMED, OTHER), slotState(q, 0), "the other claim, recorded before the tail moved on");
            assertEquals(tailWord(2, ShmQueue.MY_PID), Words.getLongVolatile(q.body, TAIL_OFFSET));
            assertNull(q.poll(), "position 0 is claimed and not published: nothing to receive before it");
            assertEquals(2, q.size());

            // That process publishes an empty message; both arrive in claim order.
            q.writeLength(0, 0);
            Words.setLongRelease(q.body, q.slotOffset(0), state(0, KIND_FULL, OTHER));
            assertArrayEquals(new byte[0], q.poll());
            assertArrayEquals(new byte[]{42}, q.poll());
            assertNull(q.poll());

            // Claims of this process in a row record nothing: slot 2 stays unmarked while 3 is
            // claimed after it, until published.
            long two = q.tryClaim();
            long three = q.tryClaim();
            assertEquals(state(2, KIND_EMPTY, 0), slotState(q, two), "no record of this process's own claim");
            q.commit(two, 0);
            q.commit(three, 0);
            assertEquals(state(2, KIND_FULL, ShmQueue.MY_PID), slotState(q, 2));
            assertArrayEquals(new byte[0], q.poll());
            assertArrayEquals(new byte[0], q.poll());
            assertEquals(new QueueStats(0, 0), q.stats());
        }
    }

    @Test
    void positionsWrapAt2To42InTheTailWordAnd2To39InSlotStates() throws Exception {
        int capacity = 4;
        try (MpscQueue q = MpscQueue.create(ShmFile.of(dir, "q"), capacity, 16)) {
            long start = (1L << 42) - 5;
            // The state a ring reaches after 2^42 - 5 messages: every slot unmarked for its next position.
            for (long position = start; position < start + capacity; position++) {
                Words.setLongVolatile(q.body, q.slotOffset(position), state(position, KIND_EMPTY, 0));
            }
            Words.setLongVolatile(q.body, HEAD_OFFSET, start);
            Words.setLongVolatile(q.body, TAIL_OFFSET, tailWord(start, 0));
            try (MpscQueue reopened = MpscQueue.open(q.file())) {
                long sent = 0;
                long received = 0;
                for (int round = 0; round < 5; round++) {
                    while (reopened.offer(new byte[]{(byte) sent})) {
                        sent++;
                    }
                    assertEquals(capacity, reopened.size(), "full at " + (start + sent));
                    byte[] message;
                    while ((message = reopened.poll()) != null) {
                        assertEquals((byte) received, message[0]);
                        received++;
                    }
                    assertTrue(reopened.isEmpty());
                }
                assertEquals(5 * capacity, sent);
                assertEquals(sent, received);
                assertEquals(start + sent - (1L << 42), tailPosition(Words.getLongVolatile(q.body, TAIL_OFFSET)),
                        "the tail word's position wrapped");
                assertEquals(start + sent, Words.getLongVolatile(q.body, HEAD_OFFSET), "head counts on");
            }
        }
    }

    @Test
    void tailMinusHeadIsSignedAcrossTheWrap() {
        try (MpscQueue q = MpscQueue.create(ShmFile.of(dir, "q"), 4, 16)) {
            assertEquals(2, q.queued(tailWord(1, ShmQueue.MY_PID), (1L << 42) - 1), "a tail that wrapped, a head that did not yet");
            assertEquals(-2, q.queued(tailWord(5, ShmQueue.MY_PID), 7), "a head that passed a tail read before it");
            assertEquals(-2, q.queued(tailWord((1L << 42) - 1, 0), (1L << 42) + 1), "the same across the wrap");
        }
    }
}
