package io.jshm.queue;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded multi-producer single-consumer queue of byte messages shared between processes: any
 * number of sending threads in any number of processes, one receiving thread at a time (in all
 * processes together). The shape of a market-data or order gateway's inbound side, and of
 * Agrona's {@code ManyToOneRingBuffer}; faster than an {@link MpmcQueue} because producers
 * never compete with the consumer for a slot.
 *
 * <p>Everything in {@link ShmQueue} holds, with, in addition:
 * <ul>
 *   <li>A producer process that dies (even by {@code kill -9}) after claiming a slot and before
 *       publishing it blocks the consumer for a bounded time only: once the consumer has seen
 *       the slot unchanged for {@value #STUCK_MILLIS} ms and finds the claimant's process gone
 *       (once for a run of claims it left), the slot is skipped and counted in
 *       {@link QueueStats#skippedClaims()}.</li>
 *   <li>A claim by a live process is never taken away, however slow it is. Liveness is judged by
 *       pid (in {@code /proc}): the processes must share a pid namespace. A dead claimant whose
 *       pid is reused meanwhile is waited for until the process now holding that pid ends
 *       (never, if that is the consumer's own process; a producer holding it takes the dead
 *       claim for its own). A live process that leaves a claim unpublished
 *       (its handle closed by another thread between claim and publish, an {@link Error}
 *       thrown in between) blocks the consumer until it exits.</li>
 *   <li>The receiving side may move to another thread or process (one that exited or was
 *       killed): the next consumer resumes at the first message not yet given back, so the
 *       message being read when its consumer was killed (with {@code drain}, every message of
 *       the unfinished batch) is read again.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * The producers claim as in Agrona's many-to-one ring, by a CAS on the tail counter checked
 * against a cached copy of head, and never read a slot before writing it; what Agrona's ring
 * cannot do is say who holds a claim that is never published. Here every claim's owner is known
 * at every instant, at the cost of one more CAS only when consecutive claims come from different
 * processes:
 * <ul>
 *   <li>Slots hold states of {@link QueueDescriptor} ({@code position, kind, pid}). A slot is
 *       <em>unmarked</em> for position {@code p} while it holds {@code EMPTY(p)} (a new ring) or
 *       any state of {@code p - capacity} (the consumer never writes a slot's state: what the
 *       previous lap left stays). A producer marks it {@code FULL(p, pid)} when it publishes,
 *       {@code SKIPPED(p, pid)} when it gives up; {@code CLAIMED(p, pid)} records an unpublished
 *       claim.</li>
 *   <li>The tail word packs the next position {@code t} with the pid of the process that claimed
 *       {@code t - 1} (see {@link QueueDescriptor}). Invariant: for every claimed, unpublished
 *       position {@code x}, its owner is the pid marked in slot {@code x}, or, if that slot is
 *       unmarked, the owner of {@code x + 1} (the same process made both claims), or, for
 *       {@code x = t - 1}, the pid in the tail word.</li>
 *   <li>Claim: read the tail word {@code (t, q)}. If {@code t - headCache >= capacity}, load
 *       head (acquire) and refresh the cache; still full: none. If {@code q} is another process,
 *       mark slot {@code t - 1} {@code CLAIMED(t - 1, q)} by CAS from what it holds if unmarked
 *       (a CAS that fails found it marked already: published, given up or recorded). Then CAS the
 *       tail word to {@code (t + 1, me)}; on failure start again from the witness. The mark is
 *       made before the tail CAS that removes {@code q} from the tail word, so the invariant
 *       holds at every step; a producer killed anywhere in this sequence leaves it true.</li>
 *   <li>Publish: write length and payload with plain stores, then release-store
 *       {@code FULL(t, me)} without reading the slot (the stores are buffered: the producer does
 *       not wait for the consumer's core to give the line up, which a CAS or a read would). The
 *       release orders the payload before the state, paired with the consumer's acquire load of
 *       the state.</li>
 *   <li>Consume: the consumer loads slot {@code h}'s state (acquire); {@code FULL(h)}: it reads
 *       the message and release-stores {@code head = h + 1} (once per batch for {@code drain}),
 *       which orders its reads before any producer, which loads head with acquire, may claim
 *       {@code h + capacity}. A {@code drain} first writes zeros over the length and payload of
 *       every message of its batch, as an {@link SpscQueue}'s does over sequences too (see its
 *       notes, also for the batch end it marks first), leaving the states. {@code SKIPPED(h)}:
 *       it moves head past it. Unmarked or {@code CLAIMED(h)}: nothing yet. Any other state is
 *       corruption.</li>
 *   <li>Dead producers: when the state at head has stayed the same for {@value #STUCK_MILLIS} ms,
 *       the consumer finds its owner: the pid in a {@code CLAIMED} state, or else it loads the
 *       tail word, loads slot {@code h} again (a record made meanwhile would otherwise be missed:
 *       judge later) and follows the invariant through slots {@code h + 1 .. t - 1} (each loaded
 *       after the tail word, so unmarked then means unmarked when {@code t} was claimed) to the
 *       first marked one, or to the tail word. If that process is gone, a CAS from the state it
 *       saw to {@code SKIPPED(h, owner)} skips the slot; a concurrent record of the same owner
 *       makes the CAS fail and the slot be judged again at once. After a skip, the next slot's
 *       owner is judged at once too: a killed producer may leave a run of claims, skipped in one
 *       period, not one each. An owner's publish is a plain store, so
 *       the skip is only as safe as the liveness check: it never takes a live process's claim.</li>
 *   <li>Close: a producer reads the closed word before claiming, and again after its tail CAS;
 *       closed then, it marks its slot {@code SKIPPED} and throws. A consumer that finds nothing
 *       at head reads the closed word, then the tail word and the slot again: end of stream only
 *       if nothing is claimed at head. The CAS and the reads are volatile, so every claim made
 *       before the close is seen (and waited for), and every claim after it sees the close.</li>
 *   <li>Positions wrap at 2^42 in the tail word (head and tail are compared modulo 2^42) and at
 *       2^39 in slot states (compared by equality only); a thread would have to stall for 2^39
 *       messages to be fooled.</li>
 * </ul>
 */
public final class MpscQueue extends ShmQueue {
    private static final VarHandle HEAD_CACHE;

    static {
        try {
            HEAD_CACHE = MethodHandles.lookup().findVarHandle(MpscQueue.class, "headCache", long.class)
                    .withInvokeExactBehavior();
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The producers' last view of head, refreshed only when it says "full" (so a producer touches
     * the consumer's line once per lap, not per message). Shared by the threads of this handle:
     * whatever value a thread reads was head once, a lower bound of head now, so at worst it
     * causes a needless refresh. Written with release and read with acquire: a thread that
     * claims on another thread's refresh must see the consumer's reads of the slots it
     * overwrites as done, which the consumer's release of head gave the refreshing thread only.
     */
    private long headCache;

    private MpscQueue(SharedRegion region) {
        super(region);
        requirePidFits();
        this.headCache = checkCounters(0);
    }

    /** Creates the queue; fails if the file exists. */
    public static MpscQueue create(ShmFile file, int capacity, int maxMessageLength) {
        return new MpscQueue(createRegion(file, RegionKind.MPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    /** Opens an existing queue, whatever its capacity and maximum message length. */
    public static MpscQueue open(ShmFile file) {
        return new MpscQueue(openRegion(file, RegionKind.MPSC_QUEUE, -1, -1, 0));
    }

    /**
     * Opens an existing queue, checking its parameters.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file is not an MPSC queue, or
     *         has another capacity or maximum message length
     */
    public static MpscQueue open(ShmFile file, int capacity, int maxMessageLength) {
        return new MpscQueue(openRegion(file, RegionKind.MPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    /** Opens the queue, creating it if it does not exist (race-free between processes). */
    public static MpscQueue openOrCreate(ShmFile file, int capacity, int maxMessageLength) {
        return new MpscQueue(openOrCreateRegion(file, RegionKind.MPSC_QUEUE, capacity, maxMessageLength, 0));
    }

    /**
     * {@code tail - head} for a tail position (modulo 2^42) and a head, as a signed 42-bit
     * number: negative when head has passed a tail read earlier.
     */
    private static long distance(long tail, long head) {
        return (tail - head) << PID_BITS >> PID_BITS;
    }

    @Override
    long queued(long tailWord, long head) {
        return distance(tailPosition(tailWord), head);
    }

    /** Whether nobody has marked the slot holding {@code state} for {@code position} yet (see the notes). */
    private boolean unmarked(long state, long position) {
        return state == state(position, KIND_EMPTY, 0) || isAt(state, position - capacity);
    }

    // ---------------------------------------------------------------- producer side

    @Override
    long tryClaim() {
        if (closed()) { // once per call: a claim made after the close sees it below anyway
            throw closedForSending();
        }
        long word = Words.getLongVolatile(body, TAIL_OFFSET);
        while (true) {
            long tail = tailPosition(word);
            if (distance(tail, (long) HEAD_CACHE.getAcquire(this)) >= capacity) {
                long head = Words.getLongAcquire(body, HEAD_OFFSET);
                long queued = distance(tail, head);
                if (queued < 0 || queued > capacity) {
                    long again = Words.getLongVolatile(body, TAIL_OFFSET);
                    if (again == word) {
                        throw corrupted("tail " + tail + " and head " + head + " are not 0 <= tail - head <= capacity "
                                + capacity + " (modulo 2^42)");
                    }
                    word = again; // this thread's tail was older than the head it read: look again
                    continue;
                }
                HEAD_CACHE.setRelease(this, head);
                if (queued == capacity) {
                    return NONE;
                }
            }
            int previousClaimant = tailClaimant(word);
            if (previousClaimant != MY_PID && previousClaimant != 0) {
                recordClaim(tail - 1, previousClaimant);
            }
            long witness = Words.compareAndExchangeLong(body, TAIL_OFFSET, word, tailWord(tail + 1, MY_PID));
            if (witness == word) {
                if (closed()) {
                    abandon(tail);
                    throw closedForSending();
                }
                return tail;
            }
            word = witness;
        }
    }

    /**
     * Marks {@code position} as claimed by {@code claimant} unless it is marked already. A CAS
     * that fails on another unmarked state (a stale first read of what the previous lap left)
     * tries again with the witness: the record must not be lost while the slot is unmarked.
     */
    private void recordClaim(long position, int claimant) {
        long offset = slotOffset(position);
        long state = Words.getLongAcquire(body, offset);
        while (unmarked(state, position)) {
            long witness = Words.compareAndExchangeLong(body, offset, state, state(position, KIND_CLAIMED, claimant));
            if (witness == state) {
                return;
            }
            state = witness;
        }
    }

    @Override
    void commit(long position, int length) {
        writeLength(position, length);
        Words.setLongRelease(body, slotOffset(position), state(position, KIND_FULL, MY_PID));
        signalNotEmpty();
    }

    @Override
    void abandon(long position) {
        Words.setLongRelease(body, slotOffset(position), state(position, KIND_SKIPPED, MY_PID));
        signalNotEmpty();
    }

    // ---------------------------------------------------------------- consumer side

    @Override
    long tryAcquire() {
        // Acquire: a consumer taking over from another process sees its reads as done.
        long head = Words.getLongAcquire(body, HEAD_OFFSET);
        long end = Words.getLongOpaque(body, BATCH_END_OFFSET); // on head's line: no extra miss
        if (end - head > 0) {
            head = headAfterUnfinishedBatch(head, end);
        }
        long state = Words.getLongAcquire(body, slotOffset(head));
        return isAt(state, head, KIND_FULL) ? head : acquireSlowly(head, state);
    }

    /** A consumer was killed zeroing a batch it had read: gives the batch back for it (see the notes). */
    private long headAfterUnfinishedBatch(long head, long end) {
        // Published (tail is past it, modulo 2^42), within a ring, and still FULL at head: the
        // consumer writes no state.
        long tail = tailPosition(Words.getLongVolatile(body, TAIL_OFFSET));
        long state = Words.getLongAcquire(body, slotOffset(head));
        return finishUnfinishedBatch(head, end, HEAD_OFFSET,
                end - head <= capacity && distance(tail, head) >= end - head && isAt(state, head, KIND_FULL),
                "tail " + tail + ", state 0x" + Long.toHexString(state) + " at head");
    }

    @Override
    void endBatch(long first, long last) {
        giveBackZeroed(HEAD_OFFSET, BATCH_END_OFFSET, last + 1, 0, capacity, true);
    }

    /** Steps over skipped slots, detects end of stream and dead producers; NONE if nothing is there now. */
    private long acquireSlowly(long head, long state) {
        while (true) {
            if (isAt(state, head, KIND_FULL)) {
                return head;
            }
            if (isAt(state, head, KIND_SKIPPED)) {
                head++;
                release(head - 1);
                state = Words.getLongAcquire(body, slotOffset(head));
                continue;
            }
            if (!unmarked(state, head) && !isAt(state, head, KIND_CLAIMED)) {
                throw corrupted("slot of position " + head + " (head) holds state 0x" + Long.toHexString(state)
                        + ", which belongs to neither position " + head + " nor " + (head - capacity));
            }
            // Nothing at head yet: unclaimed, or claimed and not published.
            if (closed()) {
                long tail = tailPosition(Words.getLongVolatile(body, TAIL_OFFSET));
                long again = Words.getLongVolatile(body, slotOffset(head));
                if (again != state) {
                    state = again;
                    continue;
                }
                if (distance(tail, head) == 0) {
                    throw endOfStream();
                }
            }
            if (stuckWatch.stuck(state) && skipIfOwnerDead(head, state)) {
                state = Words.getLongAcquire(body, slotOffset(head));
                continue;
            }
            return NONE;
        }
    }

    /** Skips the unpublished claim at {@code head} if its owner is gone; true if the slot changed. */
    private boolean skipIfOwnerDead(long head, long state) {
        int owner = claimant(head, state);
        if (!stuckWatch.holderDead(owner)) {
            return false;
        }
        if (Words.compareAndSetLong(body, slotOffset(head), state, state(head, KIND_SKIPPED, owner))) {
            Words.getAndAddLong(body, SKIPPED_CLAIMS_OFFSET, 1);
        }
        return true;
    }

    /**
     * The pid that claimed {@code head}, whose slot holds {@code state} (not published), following
     * the invariant of the notes; 0 if nothing is claimed there, or the slot changed meanwhile.
     */
    private int claimant(long head, long state) {
        if (kind(state) == KIND_CLAIMED) {
            return pid(state);
        }
        long word = Words.getLongVolatile(body, TAIL_OFFSET);
        if (Words.getLongVolatile(body, slotOffset(head)) != state) {
            return 0;
        }
        long claimed = distance(tailPosition(word), head);
        if (claimed < 0 || claimed > capacity) {
            throw corrupted("tail " + tailPosition(word) + " and head " + head + " are not 0 <= tail - head <= capacity "
                    + capacity + " (modulo 2^42)");
        }
        if (claimed == 0) {
            return 0;
        }
        for (long position = head + 1; position < head + claimed; position++) {
            long later = Words.getLongVolatile(body, slotOffset(position));
            if (!unmarked(later, position)) {
                return pid(later);
            }
        }
        return tailClaimant(word);
    }

    @Override
    long tryAcquireNext(long previous) {
        long next = previous + 1;
        return isAt(Words.getLongAcquire(body, slotOffset(next)), next, KIND_FULL) ? next : NONE;
    }
}
