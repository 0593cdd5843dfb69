package io.jshm.queue;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded single-producer single-consumer queue of byte messages shared between processes:
 * the fastest jshm queue, for a fixed pair of threads (in one process or two).
 *
 * <p>At any moment at most one thread (in all processes together) may send and at most one may
 * receive; the sending and receiving threads may differ, and may change over time (a new
 * producer process may take over from one that exited). Use {@link MpmcQueue} for more.
 * Everything in {@link ShmQueue} holds; in addition, a process killed at any instruction leaves
 * the queue consistent: a half-written message was never published, and the next consumer
 * resumes at the first message not given back, so the message being read when the consumer was
 * killed (with {@code drain}, every message of the unfinished batch, unless the consumer had
 * already marked the batch as given back) is read again.
 *
 * <h2>Implementation notes</h2>
 * A Lamport ring over {@code capacity} fixed slots (one message each), in which, as in Agrona's
 * and FastFlow's rings, the consumer learns that a message is there from the slot itself rather
 * than from the producer's counter:
 * <ul>
 *   <li>Position {@code p} lives in slot {@code p & (capacity - 1)}. Each slot begins with a
 *       sequence word: {@code p + 1} once the message for position {@code p} is published.
 *       {@code head} (written only by the consumer) counts messages consumed; {@code tail}
 *       (written only by the producer) counts messages published, its top bit aside. Invariant:
 *       {@code -1 <= tail - head <= capacity} (-1 only after a producer died between publishing
 *       and storing {@code tail}); anything else read from the file is corruption and throws.</li>
 *   <li>Publish: write length and payload with plain stores, and {@code tail} with its top bit
 *       set ({@link QueueDescriptor#spscPublishingTailWord}, opaque), then store the slot's sequence
 *       with release semantics, which order all of them before it (paired with the consumer's
 *       acquire load of the sequence). No fence follows before the load of the not-empty futex
 *       word: a consumer about to park fences this process for it (the asymmetric Dekker
 *       handshake of {@link ShmQueue}'s parking). Then store {@code tail = p + 1}, with release semantics
 *       (so that no compiler moves it above the sequence: a producer killed in between would
 *       leave a clean {@code tail} past a slot never published, and the consumer stuck): it serves
 *       {@link #size()} and the next producer, never the consumer, so its cache line stays with
 *       the producer. The consumer polls the line it is about to read anyway; with a shared
 *       {@code tail} it would pull that line over from the producer's core once per message.</li>
 *   <li>Claim: the producer keeps a private copy of {@code head} and refreshes it (acquire load)
 *       only when the copy says "full" (the FastFlow / JCTools refinement), so it touches the
 *       consumer's line once per lap, not per message. A producer killed between its two
 *       stores of {@code tail} leaves the publishing bit set: the next claim, by whichever
 *       producer, clears it, moving {@code tail} past the slot if the slot holds
 *       {@code tail + 1} (published) or the consumer's batch end is past it (published, then
 *       drained: the slot may be zeroed already, and the batch end is stored before any zero),
 *       and claims that slot otherwise. Only then does a claim
 *       load from a slot: the slot's line is the consumer's, which reads it, and a load (unlike
 *       a store) waits until the line comes over; one on every claim, as this check was first
 *       written, cut the rate to a quarter at 64 B. A separate publishing mark beside
 *       {@code tail} instead of the bit, a second load of the producer's own line, cost half of
 *       it (measured, unexplained).</li>
 *   <li>Release: the consumer reads the payload, then stores {@code head + 1} with release
 *       semantics, which order its reads before the producer may overwrite the slot (paired with
 *       the producer's acquire load of {@code head}); then it loads the not-full futex word, fenced
 *       by a parking producer as above. Batches ({@code drain}) read slots {@code head, head + 1,
 *       ...} as long as their sequences say so, then store {@code head} once: one store and at
 *       most one wake per batch.</li>
 *   <li>Zeroing a batch: before it stores {@code head}, {@code drain} writes zeros over every
 *       message of the batch (its slot up to the end of the message), sequences included, as
 *       Agrona's many-to-one ring does over what it read. The producer then finds the lines it
 *       writes next held by the consumer, not by itself from a lap ago. On the 2-vCPU AMD EPYC
 *       VM this was measured on (a first version, zeroing whole slots with one fill; README has
 *       the shipped code's figures), that more than doubled the rate at 1 KiB when the consumer
 *       ignores the payload (9.8 to 20.6 M msg/s; SpscQueue to Agrona's many-to-one ring,
 *       within-fork pairs, 0.44x to 0.91x) and raised every other cell (64 B 1.60x to 2.06x;
 *       payload read, 64 B 1.16x to 1.95x, 1 KiB 0.83x to 1.24x). Writing each line's first
 *       word back as it was gains less (0.73x), a locked add of 0 to it nothing. A kill must
 *       not leave a zeroed message to be read again, so the consumer first stores the batch
 *       end, {@code last + 1}, in a word on {@code head}'s line, with a store-store fence before
 *       the zeros (each sequence is zeroed by a whole store first, as a bulk copy may write a
 *       word piecewise); a consumer that finds
 *       the batch end past {@code head} (a load of a line it holds anyway) knows its predecessor
 *       was killed after handling the whole batch, and stores {@code head} for it. Killed
 *       before the mark, it leaves the batch intact, to be read again. Single reads
 *       ({@code take}, {@code poll}, {@code read}) give their slot back as it is.</li>
 *   <li>Validation: at position {@code h} the slot's sequence is {@code h + 1} (published),
 *       {@code h + 1 - capacity} (the previous lap's message, consumed) or 0 (never written,
 *       or zeroed). Any other value is corruption and throws rather than waiting forever; so
 *       does a batch end that no batch could have left (past {@code tail + 1}, more than a ring
 *       ahead of {@code head}, or over a slot holding another position).</li>
 *   <li>Close: a producer checks the closed word before claiming. A consumer that finds the
 *       slot at {@code head} unpublished reads the closed word and then the slot again, so it
 *       reports end of stream only after everything published before the close. Closing from a
 *       thread other than the producer while it still sends is a race the caller must avoid (as
 *       with any SPSC use).</li>
 * </ul>
 */
public final class SpscQueue extends ShmQueue {
    /** The producer's last view of head, refreshed only when the queue looks full. */
    private long headCache;

    private SpscQueue(SharedRegion region) {
        super(region);
        // Tail may lag head by one: a producer killed between publishing and storing tail, whose
        // last message was then consumed (see the notes; the next claim moves tail past it).
        this.headCache = checkCounters(-1);
    }

    /** Creates the queue; fails if the file exists. */
    public static SpscQueue create(ShmFile file, int capacity, int maxMessageLength) {
        return new SpscQueue(createRegion(file, RegionKind.SPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    /** Opens an existing queue, whatever its capacity and maximum message length. */
    public static SpscQueue open(ShmFile file) {
        return new SpscQueue(openRegion(file, RegionKind.SPSC_QUEUE, -1, -1, 0));
    }

    /**
     * Opens an existing queue, checking its parameters.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file is not an SPSC queue, or
     *         has another capacity or maximum message length
     */
    public static SpscQueue open(ShmFile file, int capacity, int maxMessageLength) {
        return new SpscQueue(openRegion(file, RegionKind.SPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    /** Opens the queue, creating it if it does not exist (race-free between processes). */
    public static SpscQueue openOrCreate(ShmFile file, int capacity, int maxMessageLength) {
        return new SpscQueue(openOrCreateRegion(file, RegionKind.SPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    @Override
    long tryClaim() {
        if (closed()) {
            throw closedForSending();
        }
        long word = Words.getLongOpaque(body, TAIL_OFFSET);
        long tail = spscTailPosition(word);
        if (tail != word) { // a producer died publishing (see the notes)
            if (publishedBeforeRepair(Words.getLongAcquire(body, sequenceOffset(tail)), tail, BATCH_END_OFFSET)) {
                tail++;
            }
            Words.setLongOpaque(body, TAIL_OFFSET, tail);
        }
        // Unsigned: also leaves the fast path if tail - headCache is negative (corruption).
        if (Long.compareUnsigned(tail - headCache, capacity) >= 0) {
            long head = Words.getLongAcquire(body, HEAD_OFFSET);
            if (tail - head < 0 || tail - head > capacity) {
                throw corrupted("tail " + tail + " and head " + head + " are not 0 <= tail - head <= " + capacity);
            }
            headCache = head;
            if (tail - head >= capacity) {
                return NONE;
            }
        }
        return tail;
    }

    @Override
    void commit(long position, int length) {
        writeLength(position, length);
        Words.setLongOpaque(body, TAIL_OFFSET, spscPublishingTailWord(position));
        Words.setLongRelease(body, sequenceOffset(position), position + 1);
        Words.setLongRelease(body, TAIL_OFFSET, position + 1);
        signalNotEmpty();
    }

    @Override
    long queued(long tailWord, long head) {
        return spscTailPosition(tailWord) - head;
    }

    @Override
    void abandon(long position) {
        // Nothing was published: the next claim reuses the slot.
    }

    @Override
    long tryAcquire() {
        // Acquire (as MpscQueue): a consumer taking over from another process sees its reads as done.
        long head = headAfterUnfinishedBatch(Words.getLongAcquire(body, HEAD_OFFSET), HEAD_OFFSET, BATCH_END_OFFSET,
                TAIL_OFFSET, 0, capacity, -1);
        if (published(head)) {
            return head;
        }
        if (!closed()) {
            return NONE;
        }
        if (published(head)) { // sent before the close
            return head;
        }
        throw endOfStream();
    }

    /** Whether the message at {@code position} is there to read, from the slot's sequence. */
    private boolean published(long position) {
        long sequence = Words.getLongAcquire(body, sequenceOffset(position));
        if (sequence == position + 1) {
            return true;
        }
        if (sequence != 0 && sequence != position + 1 - capacity) {
            throw corrupted("slot of position " + position + " holds sequence " + sequence + ", expected "
                    + (position + 1) + " (published), " + (position + 1 - capacity) + " or 0 (free)");
        }
        return false;
    }

    @Override
    void endBatch(long first, long last) {
        giveBackZeroed(HEAD_OFFSET, BATCH_END_OFFSET, last + 1, 0, capacity, false);
    }

    private long sequenceOffset(long position) {
        return slotOffset(position) + SLOT_STATE_OFFSET;
    }

    @Override
    long tryAcquireNext(long previous) {
        long next = previous + 1;
        return published(next) ? next : NONE;
    }
}
