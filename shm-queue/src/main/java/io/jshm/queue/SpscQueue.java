package io.jshm.queue;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded single-producer single-consumer queue of byte messages shared between processes:
 * the fastest jshm queue, for a fixed pair of threads (in one process or two).
 *
 * <p>At any moment at most one thread (in all processes together) may send and at most one may
 * receive; the sending and receiving threads may differ, and may change over time (a new
 * producer process may take over from one that exited). Use {@link MpmcQueue} for more.
 * Everything in {@link ShmQueue} holds; in addition, a process killed at any instruction leaves
 * the queue consistent: a half-written message was never published, a half-read one is read
 * again by the next consumer.
 *
 * <h2>Implementation notes</h2>
 * A Lamport ring over {@code capacity} fixed slots (one message each), with the FastFlow /
 * JCTools refinement of cached counters:
 * <ul>
 *   <li>{@code tail} (written only by the producer) counts messages published, {@code head}
 *       (written only by the consumer) counts messages consumed; position {@code p} lives in slot
 *       {@code p & (capacity - 1)}. Invariant: {@code 0 <= tail - head <= capacity}; anything else
 *       read from the file is corruption and throws.</li>
 *   <li>The producer keeps a private copy of {@code head} and refreshes it (acquire load) only
 *       when the copy says "full"; the consumer does the same with {@code tail} when its copy says
 *       "empty". In steady state each side touches the other's line once per lap, not per
 *       message.</li>
 *   <li>Publish: write length and payload with plain stores, then store {@code tail + 1}
 *       <em>volatile</em>: its release half orders the payload before the new tail (paired with
 *       the consumer's acquire load of {@code tail}); its full-fence half orders the store before
 *       the following load of the not-empty futex word (the Dekker handshake of
 *       {@link ShmQueue}'s parking, which must not lose a wake-up).</li>
 *   <li>Release: the consumer reads the payload, then stores {@code head + 1} volatile: release
 *       orders its reads before the producer may overwrite the slot (paired with the producer's
 *       acquire load of {@code head}); the fence again precedes the load of the not-full futex word.</li>
 *   <li>Batches: {@code drain} reads slots {@code head, head + 1, ...} without storing
 *       {@code head} in between, then stores it once (release) and issues one full fence
 *       before checking for parked producers: one fence and at most one wake per batch.</li>
 *   <li>Close: a producer checks the closed word before claiming. A consumer that finds the
 *       queue empty reads the closed word and then {@code tail} again, so it reports end of stream
 *       only after everything published before the close. Closing from a thread other than the
 *       producer while it still sends is a race the caller must avoid (as with any SPSC use).</li>
 * </ul>
 */
public final class SpscQueue extends ShmQueue {
    /** The producer's last view of head, refreshed only when the queue looks full. */
    private long headCache;
    /** The consumer's last view of tail, refreshed only when the queue looks empty. */
    private long tailCache;

    private SpscQueue(SharedRegion region) {
        super(region);
        long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
        long head = (long) LONG.getVolatile(body, HEAD_OFFSET);
        if (tail - head < 0 || tail - head > capacity || head < 0) {
            region.close();
            throw new QueueCorruptedException(region.file().path(), "head " + head + " and tail " + tail
                    + " are not 0 <= tail - head <= capacity " + capacity);
        }
        this.headCache = head;
        this.tailCache = tail;
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
        long tail = (long) LONG.getOpaque(body, TAIL_OFFSET);
        // Unsigned: also leaves the fast path if tail - headCache is negative (corruption).
        if (Long.compareUnsigned(tail - headCache, capacity) >= 0) {
            long head = (long) LONG.getAcquire(body, HEAD_OFFSET);
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
        LONG.setVolatile(body, TAIL_OFFSET, position + 1);
        signalNotEmpty();
    }

    @Override
    void abandon(long position) {
        // Nothing was published: the next claim reuses the slot.
    }

    @Override
    long tryAcquire() {
        long head = (long) LONG.getOpaque(body, HEAD_OFFSET);
        // Unsigned: leaves the fast path when tailCache - head is not in 1..capacity.
        if (Long.compareUnsigned(tailCache - head - 1, capacity) >= 0) {
            long tail = refreshTail(head);
            if (tail == head) {
                if (!closed()) {
                    return NONE;
                }
                if (refreshTail(head) == head) {
                    throw endOfStream();
                }
            }
        }
        return head;
    }

    private long refreshTail(long head) {
        long tail = (long) LONG.getAcquire(body, TAIL_OFFSET);
        if (tail - head < 0 || tail - head > capacity) {
            throw corrupted("tail " + tail + " and head " + head + " are not 0 <= tail - head <= " + capacity);
        }
        tailCache = tail;
        return tail;
    }

    @Override
    void release(long position) {
        LONG.setVolatile(body, HEAD_OFFSET, position + 1);
        signalNotFull();
    }

    @Override
    long tryAcquireNext(long previous) {
        long next = previous + 1;
        if (next - tailCache < 0) {
            return next;
        }
        long tail = (long) LONG.getAcquire(body, TAIL_OFFSET);
        if (tail - next < 0 || tail - next > capacity) {
            throw corrupted("tail " + tail + " and head " + next + " are not 0 <= tail - head <= " + capacity);
        }
        tailCache = tail;
        return tail == next ? NONE : next;
    }

    @Override
    void releaseInBatch(long position) {
        // Given back all at once by endBatch.
    }

    @Override
    void endBatch(long last) {
        // One store gives back every slot up to last; release semantics order the reads before it.
        LONG.setRelease(body, HEAD_OFFSET, last + 1);
    }

    @Override
    public int size() {
        long tail = (long) LONG.getVolatile(body, TAIL_OFFSET);
        return size(tail, (long) LONG.getVolatile(body, HEAD_OFFSET));
    }
}
