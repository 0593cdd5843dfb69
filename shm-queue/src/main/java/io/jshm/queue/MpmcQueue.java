package io.jshm.queue;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded multi-producer multi-consumer queue of byte messages shared between any number of
 * threads in any number of processes, that survives the death of any of them.
 *
 * <p>Everything in {@link ShmQueue} holds for any number of producers and consumers at once:
 * each message is received exactly once, whole, and the messages of one producer thread arrive
 * in the order it sent them (as seen by any one consumer, and in claim order overall). In
 * addition:
 * <ul>
 *   <li>A producer process that dies (even by {@code kill -9}) after claiming a slot and before
 *       publishing it blocks nobody for long: once a waiter has seen the slot unchanged for
 *       {@value #STUCK_MILLIS} ms and finds the claimant's process gone (once for a run of claims it
 *       left), the slot is skipped and counted in {@link QueueStats#skippedClaims()}.</li>
 *   <li>A consumer process that dies while reading a message (or a batch, in {@code drain})
 *       gives the slots back the same way (each counted in {@link QueueStats#abandonedReads()});
 *       the others go on.</li>
 *   <li>A claim by a live process is never taken away, however slow it is. Liveness is judged by
 *       pid (in {@code /proc}): the processes must share a pid namespace, and a dead claimant whose
 *       pid is reused meanwhile is waited for until that process ends.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * A variant of Vyukov's bounded MPMC queue (per-slot sequence numbers over a ring of
 * {@code capacity} fixed slots), changed so that every claim names its owner atomically:
 * <ul>
 *   <li>Each slot has a 64-bit state word: 39 bits of position, 3 bits of kind, 22 bits of pid.
 *       For position {@code p} (slot {@code p & (capacity - 1)}) the state goes
 *       {@code EMPTY(p) -> CLAIMED(p, producer) -> FULL(p) -> READING(p, consumer) ->
 *       EMPTY(p + capacity)}, or {@code CLAIMED(p) -> SKIPPED(p) -> EMPTY(p + capacity)} when the
 *       producer died or gave up. Positions are compared modulo 2^39 by equality only; a thread
 *       would have to stall for 2^39 messages to be fooled.</li>
 *   <li>Claiming is a CAS on the slot's state word, not on the shared counter (where Vyukov
 *       claims): the CAS that wins the slot also records the winner's pid, so there is no instant
 *       at which a claim exists but its owner is unknown. {@code tail} and {@code head} are then
 *       advanced by CAS, by the claimant or by anyone who finds the slot at the counter already
 *       claimed ("helping"), so a claimant that dies between the two CASes stops nobody. Hence
 *       {@code tail} (and {@code head}) lag the claims by at most one.</li>
 *   <li>Producer at {@code t}: slot {@code EMPTY(t)}: claim. Slot in any state of {@code t} or
 *       of {@code t + capacity}: {@code t} was claimed, help {@code tail}. Slot in a state of
 *       {@code t - capacity}: the previous message there is not consumed yet, the queue is full.
 *       Anything else, with {@code tail} unchanged on a second read: corruption.</li>
 *   <li>Consumer at {@code h}: {@code FULL(h)}: claim it as {@code READING(h, me)}, help
 *       {@code head}, copy, store {@code EMPTY(h + capacity)}. {@code SKIPPED(h)}: store
 *       {@code EMPTY(h + capacity)} by CAS and go on. {@code EMPTY(h)} or the previous lap still
 *       being read: empty. {@code CLAIMED(h)}: a producer is writing; empty for now.</li>
 *   <li>A batch ({@code drain}) is a run of adjacent positions: after {@code h} the consumer takes
 *       {@code h + 1} the same way (CAS to {@code READING}), and so on, and stops at the first it
 *       cannot take (not published yet, skipped, or taken by another consumer, which has helped
 *       head past it). It holds them all while the handler runs, then writes zeros over each
 *       length and payload and only then gives them back, in order, with one wake-up. The zeros
 *       are for speed alone (nothing reads a slot that is not {@code FULL}): a producer coming
 *       round finds the lines it writes next just written by the consumer, in bulk, rather than
 *       left in its own cache a lap ago, as in {@link SpscQueue}, whose notes have the figures;
 *       here, against Agrona's many-to-one ring in within-fork pairs (2 forks), from 0.67x, 0.34x,
 *       0.63x, 0.89x (64 B and 1 KiB, payload ignored and read) to 0.98x, 0.74x, 1.23x, 1.22x,
 *       where zeroing and giving back each slot as soon as it was read gave 1.15x, 0.70x, 0.75x,
 *       0.65x. A consumer killed during a batch leaves its slots {@code READING}: each is
 *       recovered as an abandoned read (below); the messages it handled are not delivered
 *       again. A {@link JoinableQueue} gives each slot back (zeroed) as soon as its handler
 *       returns instead: a recovery gives back the task of each slot too, which a handler may
 *       have marked done already.</li>
 *   <li>A handle whose last claim found room (or whose last acquire found a message) makes
 *       the next one by CAS straight away, without reading the slot first, and reads the CAS's
 *       witness instead: under load it saves a cache-line transaction per message (measured:
 *       64 B throughput from 10.7-12.4 to 14.7-16.2 M msg/s, 1 fork each). After finding the
 *       queue full (or empty) it reads first again, so that a waiter does not pull the line
 *       away from the other side with failing CASes. A {@link JoinableQueue}'s consumers
 *       always read first (their task count goes up before the CAS). In request/response
 *       traffic the first receive after each message is one failed CAS on the empty next
 *       slot; an A/B run of the ping-pong benchmark showed no difference (p50 0.35-0.37 vs
 *       0.37-0.39 µs).</li>
 *   <li>Fences: claims are CASes (full fences). Publish and release are release stores: they
 *       order the payload writes (or reads) before the state change, paired with the acquire
 *       loads of the state by the other side. The load of the other side's futex word that
 *       follows needs no fence of its own (see {@link ShmQueue}'s parking protocol).</li>
 *   <li>Dead processes: a thread that finds a slot {@code CLAIMED} or {@code READING} by another
 *       process, unchanged for {@value #STUCK_MILLIS} ms, checks that process in {@code /proc}; if
 *       it is gone it replaces that exact state by CAS ({@code CLAIMED -> SKIPPED},
 *       {@code READING -> EMPTY(p + capacity)}), so two recoverers cannot both succeed. The
 *       winner counts the recovery and wakes every waiter. Having found one dead holder, the
 *       thread checks the next held slot it finds at once, without waiting a period: a killed
 *       producer may leave a run of claims. An owner's own publish and release are
 *       plain release stores, so the recovery is only as safe as the liveness check: it must
 *       never take a claim from a process that is still running.</li>
 *   <li>Close: a producer reads the closed word after its claiming CAS; if closed, it turns its
 *       slot into {@code SKIPPED} and throws. A consumer that finds nothing at {@code head} reads
 *       the closed word, then the slot again, and reports end of stream only if still nothing is
 *       there. Any producer that claimed before the close store therefore has its claim seen by
 *       that second read (and is waited for); any that claims after sees the close and gives up.
 *       So every send that returned normally is received before end of stream.</li>
 * </ul>
 */
public sealed class MpmcQueue extends ShmQueue permits JoinableQueue {
    private final boolean joinable;
    /**
     * Whether this handle's last claim found room, and its last acquire a message. Then the next
     * one tries the CAS on the slot at once: one exclusive fetch of the slot's cache line instead
     * of a shared fetch and then an upgrade. Otherwise it reads first, so that a waiter polling a
     * full (or empty) queue does not take the line away from the other side with failing CASes.
     * Plain fields, written only when they change (so that threads sharing a handle do not
     * bounce its cache line, which holds the hot final fields, on every message). A hint from
     * another thread of the same handle costs at most one failed CAS or one extra read per
     * change of the hint.
     */
    private boolean expectRoom;
    private boolean expectMessage;

    MpmcQueue(SharedRegion region, boolean joinable) {
        super(region);
        requirePidFits();
        this.joinable = joinable;
        checkCounters(-1); // head may be helped past a claim before tail is
    }

    /** Creates the queue; fails if the file exists. */
    public static MpmcQueue create(ShmFile file, int capacity, int maxMessageLength) {
        return new MpmcQueue(createRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, 0), false);
    }

    /** Opens an existing queue, whatever its capacity and maximum message length. */
    public static MpmcQueue open(ShmFile file) {
        return new MpmcQueue(openRegion(file, RegionKind.MPMC_QUEUE, -1, -1, 0), false);
    }

    /**
     * Opens an existing queue, checking its parameters.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file is not an MPMC queue (or is
     *         a joinable one), or has another capacity or maximum message length
     */
    public static MpmcQueue open(ShmFile file, int capacity, int maxMessageLength) {
        return new MpmcQueue(openRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, 0), false);
    }

    /** Opens the queue, creating it if it does not exist (race-free between processes). */
    public static MpmcQueue openOrCreate(ShmFile file, int capacity, int maxMessageLength) {
        return new MpmcQueue(openOrCreateRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, 0), false);
    }

    // ---------------------------------------------------------------- producer side

    @Override
    final long tryClaim() {
        if (closed()) { // once per call: a claim made after the close sees it below anyway
            throw closedForSending();
        }
        long tail = Words.getLongAcquire(body, TAIL_OFFSET);
        while (true) {
            long offset = slotOffset(tail);
            long empty = state(tail, KIND_EMPTY, 0);
            long claimed = state(tail, KIND_CLAIMED, MY_PID);
            long state;
            if (expectRoom) {
                state = Words.compareAndExchangeLong(body, offset, empty, claimed);
            } else {
                state = Words.getLongAcquire(body, offset);
                if (state == empty) {
                    state = Words.compareAndExchangeLong(body, offset, empty, claimed);
                }
            }
            if (state == empty) {
                hintRoom(true);
                Words.compareAndSetLong(body, TAIL_OFFSET, tail, tail + 1);
                if (closed()) {
                    abandon(tail);
                    throw closedForSending();
                }
                return tail;
            }
            // state is what the slot holds: read, or the witness of the failed CAS.
            if (isAt(state, tail) || isAt(state, tail + capacity)) {
                Words.compareAndSetLong(body, TAIL_OFFSET, tail, tail + 1); // claimed by another: help
            } else if (isAt(state, tail - capacity)) {
                if (!recoverPreviousLap(tail - capacity, offset, state)) {
                    hintRoom(false);
                    return NONE;
                }
            } else if (Words.getLongAcquire(body, TAIL_OFFSET) == tail) {
                throw corrupted("slot of position " + tail + " (tail) holds state 0x" + Long.toHexString(state)
                        + ", which belongs to none of positions " + (tail - capacity) + ", " + tail + ", " + (tail + capacity));
            }
            tail = Words.getLongAcquire(body, TAIL_OFFSET);
        }
    }

    /**
     * The slot for {@code previous + capacity} still holds {@code previous}: the queue is full,
     * unless its holder died. Returns true if it recovered the slot for producers.
     */
    private boolean recoverPreviousLap(long previous, long offset, long state) {
        int kind = kind(state);
        if (kind == KIND_FULL || kind == KIND_SKIPPED) {
            return false;
        }
        if (kind != KIND_READING && kind != KIND_CLAIMED) {
            throw corrupted("slot of position " + (previous + capacity) + " holds state 0x" + Long.toHexString(state)
                    + " of position " + previous + " although the tail is past it");
        }
        if (!heldByDeadProcess(state)) {
            return false;
        }
        if (kind == KIND_CLAIMED) {
            skipDeadClaim(offset, state, previous);
            return false;
        }
        if (Words.compareAndSetLong(body, offset, state, state(previous + capacity, KIND_EMPTY, 0))) {
            Words.getAndAddLong(body, ABANDONED_READS_OFFSET, 1);
            if (joinable) {
                endTask();
            }
            signalAll();
        }
        return true;
    }

    private void skipDeadClaim(long offset, long state, long position) {
        if (Words.compareAndSetLong(body, offset, state, state(position, KIND_SKIPPED, 0))) {
            Words.getAndAddLong(body, SKIPPED_CLAIMS_OFFSET, 1);
            signalAll();
        }
    }

    /** Whether {@code state} has stayed the same for {@link #STUCK_MILLIS} and its pid is dead. */
    private boolean heldByDeadProcess(long state) {
        return stuckWatch.stuck(state) && stuckWatch.holderDead(pid(state));
    }

    /**
     * Consumers free slots by a store of each slot's state (one per take, a batch's in a row at
     * its end), so a producer that looked again at once when full would take each slot as it is
     * freed, on the line the consumer is writing, as a consumer chases a producer (see
     * {@link ShmQueue#BATCH_PAUSE_NANOS}). Measured when consumers freed every slot as they read
     * it (two threads, 1 KiB, payload read): 3.2 M msg/s without the pause, 7.4 with it.
     */
    @Override
    final long claimPauseNanos() {
        return BATCH_PAUSE_NANOS;
    }

    @Override
    final void commit(long position, int length) {
        writeLength(position, length);
        Words.setLongRelease(body, slotOffset(position), state(position, KIND_FULL, 0));
        signalNotEmpty();
    }

    @Override
    final void abandon(long position) {
        Words.setLongRelease(body, slotOffset(position), state(position, KIND_SKIPPED, 0));
        signalNotEmpty();
    }

    // ---------------------------------------------------------------- consumer side

    @Override
    final long tryAcquire() {
        boolean sawClosed = false;
        long head = Words.getLongAcquire(body, HEAD_OFFSET);
        while (true) {
            long offset = slotOffset(head);
            long full = state(head, KIND_FULL, 0);
            // Looking again after seeing the close: a volatile read, for the Dekker argument of
            // the notes (producer: claim CAS, then read closed; consumer: read closed, then this).
            long state = sawClosed ? Words.getLongVolatile(body, offset) : firstLook(offset, full);
            if (state == full && (state = takeForReading(head, offset, full)) == full) {
                return head;
            }
            // state is what the slot holds: read, or the witness of the failed CAS.
            boolean nothingYet = false;
            if (state == state(head, KIND_SKIPPED, 0)) {
                if (Words.compareAndSetLong(body, offset, state, state(head + capacity, KIND_EMPTY, 0))) {
                    Words.compareAndSetLong(body, HEAD_OFFSET, head, head + 1);
                    signalNotFull();
                    if (joinable) {
                        joinableChanged(); // the queue may have just become empty
                    }
                }
            } else if (isAt(state, head)) {
                switch (kind(state)) {
                    case KIND_EMPTY -> nothingYet = true;
                    case KIND_READING -> Words.compareAndSetLong(body, HEAD_OFFSET, head, head + 1);
                    case KIND_CLAIMED -> {
                        if (heldByDeadProcess(state)) {
                            skipDeadClaim(offset, state, head);
                            continue;
                        }
                        hintMessage(false);
                        return NONE;
                    }
                    default -> throw corrupted("slot of position " + head + " (head) holds unknown state 0x"
                            + Long.toHexString(state));
                }
            } else if (isAt(state, head + capacity)) {
                Words.compareAndSetLong(body, HEAD_OFFSET, head, head + 1);
            } else if (isAt(state, head - capacity, KIND_READING)) {
                // The previous message in this slot is still being read: nothing at head yet.
                if (recoverPreviousLap(head - capacity, offset, state)) {
                    continue;
                }
                nothingYet = true;
            } else if (Words.getLongAcquire(body, HEAD_OFFSET) == head) {
                throw corrupted("slot of position " + head + " (head) holds state 0x" + Long.toHexString(state)
                        + ", which belongs to none of positions " + (head - capacity) + ", " + head + ", " + (head + capacity));
            }
            if (nothingYet) {
                hintMessage(false);
                if (sawClosed) {
                    throw endOfStream();
                }
                if (!closed()) {
                    return NONE;
                }
                sawClosed = true; // look again: a claim made before the close must be seen now
                continue;
            }
            head = Words.getLongAcquire(body, HEAD_OFFSET);
        }
    }

    @Override
    final void release(long position) {
        free(position);
        signalNotFull();
    }

    /** Gives the slot of {@code position} to the producers of the next lap (release: the reads, or zeros, before it). */
    private void free(long position) {
        Words.setLongRelease(body, slotOffset(position), state(position + capacity, KIND_EMPTY, 0));
    }

    /**
     * What a consumer expecting {@code full} in the slot at {@code offset} takes it to hold: with
     * the hint, {@code full} itself (straight to the CAS, whose witness says what is there), else
     * the state read. Never guessed for a joinable queue, whose task count goes up before the CAS
     * and would wake joiners each time the guess is wrong.
     */
    private long firstLook(long offset, long full) {
        return expectMessage && !joinable ? full : Words.getLongAcquire(body, offset);
    }

    /**
     * Tries to take the message at {@code position} (slot at {@code offset}, seen {@code full})
     * for reading, and helps head past it if it did. Returns the slot's state as the CAS found
     * it: {@code full} if taken.
     */
    private long takeForReading(long position, long offset, long full) {
        if (joinable) {
            Words.getAndAddLong(body, TASKS_IN_PROGRESS_OFFSET, 1);
        }
        long state = Words.compareAndExchangeLong(body, offset, full, state(position, KIND_READING, MY_PID));
        if (state == full) {
            hintMessage(true);
            Words.compareAndSetLong(body, HEAD_OFFSET, position, position + 1);
        } else if (joinable) {
            endTask();
        }
        return state;
    }

    @Override
    final long tryAcquireNext(long previous) {
        // Only the adjacent message: a batch is a run of positions, all held until endBatch.
        long position = previous + 1;
        long offset = slotOffset(position);
        long full = state(position, KIND_FULL, 0);
        if (firstLook(offset, full) == full && takeForReading(position, offset, full) == full) {
            return position;
        }
        hintMessage(false); // read first again, as after finding the queue empty
        return NONE;
    }

    @Override
    final void handledInBatch(long position) {
        if (joinable) {
            // A consumer's death gives back the task of every slot it holds, and a handler may
            // call taskDone() itself: so a slot is held only while its handler runs, as in take.
            zeroAndRelease(position, position);
        }
    }

    @Override
    final void endBatch(long first, long last) {
        if (!joinable) {
            zeroAndRelease(first, last);
        }
    }

    /** Writes zeros over the messages at {@code first} to {@code last}, then gives their slots back in order, with one wake-up. */
    private void zeroAndRelease(long first, long last) {
        for (long position = first; position != last + 1; position++) {
            zeroMessage(position);
        }
        for (long position = first; position != last + 1; position++) {
            free(position);
        }
        signalNotFull();
    }

    private void hintRoom(boolean room) {
        if (expectRoom != room) {
            expectRoom = room;
        }
    }

    private void hintMessage(boolean message) {
        if (expectMessage != message) {
            expectMessage = message;
        }
    }

    /**
     * One task in progress fewer (joinable queues only); wakes joiners when it was the last, the
     * only change of the count that can end a join. Returns the count before.
     */
    final long endTask() {
        long before = Words.getAndAddLong(body, TASKS_IN_PROGRESS_OFFSET, -1);
        if (before == 1) {
            joinableChanged();
        }
        return before;
    }

    /** Head or the task count moved so that a join may be over: wake joiners if any (joinable queues only). */
    void joinableChanged() {
    }
}
