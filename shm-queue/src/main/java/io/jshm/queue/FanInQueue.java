package io.jshm.queue;

import io.jshm.core.os.Membarrier;
import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded many-to-one queue of byte messages shared between processes in which each sending
 * thread has a ring of its own (a <em>lane</em>): senders never contend with each other, and
 * neither side makes a locked instruction per message, so it moves messages at the rate of an
 * {@link SpscQueue} from every producer at once. The shape of a market-data or telemetry fan-in:
 * a fixed set of producer threads, in any processes, and one consumer.
 *
 * <p>Everything in {@link ShmQueue} holds, with these differences from an {@link MpscQueue}:
 * <ul>
 *   <li>A thread's first send through a handle leases it a free lane. At most {@link #lanes()}
 *       threads can send at once, in all processes together; one more gets an
 *       {@link IllegalStateException} naming the file. A lane is free again when the handle is
 *       closed, when its thread has ended, or when its process has exited (even by
 *       {@code kill -9}).</li>
 *   <li>{@link #capacity()} is that of all lanes together; a sender waits (or {@code offer}
 *       returns false) when <em>its</em> lane, {@link #laneCapacity()} messages, is full, even
 *       if other lanes have room. Messages of one sending thread through one handle arrive in
 *       the order sent (through two handles it has two lanes); the consumer takes the lanes in
 *       turn, a batch at a time, so there is no order between lanes (as between any two
 *       producers that do not synchronize).</li>
 *   <li>A thread's first send reads {@code /proc} and allocates its lease; so does, once, a
 *       receive that finds the queue closed (to fence the senders and judge the live ones).
 *       After that, sends and receives make no system call and allocate nothing.</li>
 *   <li>A producer killed at any instruction leaves its lane consistent: a half-written message
 *       was never published, and the next thread to lease the lane goes on after the last
 *       message that was; nothing needs skipping, so {@link QueueStats} stays at zero. The
 *       receiving side may move to another thread or process, as in an {@code MpscQueue}; the
 *       message being read when a consumer was killed is read again.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * <ul>
 *   <li>Lane {@code l} is slots {@code l * laneCapacity ..} of the ring, run exactly as an
 *       {@link SpscQueue} (see its notes): its own tail, with a publishing bit, and head, in lane
 *       words after the slots; a sequence word per slot, {@code p + 1} once position {@code p}
 *       of the lane is published; the producer's copy of head, refreshed when the lane looks
 *       full. The positions {@link ShmQueue} sees are slot indexes; the lane's counters say which
 *       lap.</li>
 *   <li>Leasing: a CAS of the lane's owner word from 0 (or from the owner of a dead process, or
 *       of an ended thread of this one) to {@code pid << 32 | serial}, the serial unique per
 *       lease in this process. The CAS is the only locked instruction a producer makes, once per
 *       thread. A lane taken over from a producer killed between its two stores of tail is
 *       repaired by the first claim, as in an {@code SpscQueue}.</li>
 *   <li>Consuming: {@code tryAcquire} looks at the head of each lane in turn, starting after the
 *       lane it read last, so that a busy lane cannot starve the others; a drain reads a batch
 *       from that one lane, writes zeros over it and stores its head once, marking the lane's
 *       batch end first (as {@link SpscQueue} does, see its notes: a consumer killed between
 *       the mark and head is finished for by the next look at the lane). The consumer keeps no
 *       position of its own: the lane position of a slot it holds is the slot's sequence minus
 *       one (read before the zeros). (A field written
 *       per message would share a cache line with the fields every producer thread of the same
 *       handle reads per message: two threads in one JVM ran at half the rate with one.)</li>
 *   <li>Close without a fence per message: a producer publishing position {@code p} stores
 *       tail with the publishing bit, <em>then</em> reads the closed word; if closed, it stores
 *       tail back and throws, so the send fails and nothing is published. The consumer that
 *       first finds the closed word set fences every registered process
 *       ({@link Membarrier#fenceRegisteredProcesses()}, once per handle) and then, before any
 *       end of stream, reads every lane's tail (acquire) and then the slots at the heads. This is
 *       the asymmetric Dekker handshake of {@link ShmQueue}'s parking: a producer whose
 *       publishing bit the consumer does not see, after the fence, reads the closed word after
 *       the fence and gives up; one whose bit it sees is waited for (unless its process is
 *       dead: what it published, the slots say); one that has finished stored its sequence
 *       before clearing the bit, which the consumer's acquire of tail makes visible to the slot
 *       reads that follow. So every send that returned normally is received before end of
 *       stream. (FanInQueueTest closes while threads send: without the check after the bit,
 *       sends that returned were lost in 4 of 4 runs. Without the fence the test still passes:
 *       on x86 the window in which the check can pass the store is a few nanoseconds wide.)</li>
 * </ul>
 */
public final class FanInQueue extends ShmQueue {
    /**
     * Serials of leases made by this process, so that no two leases have the same owner word;
     * from a random start, so that an owner word left by an earlier process with this pid is
     * not one of this process's.
     */
    private static final AtomicInteger LEASE_SERIALS = new AtomicInteger(ThreadLocalRandom.current().nextInt());
    /**
     * The leases of this process not given back, by owner word, in all handles: a lane whose
     * owner word names this process and is not here, or is here for a thread that has ended, is
     * free (a previous process with this pid left it, or its thread is gone). An entry is made
     * before the CAS that takes the lane, so that no other thread of this process can see the
     * new owner word without it and take the lane for a free one.
     */
    private static final ConcurrentHashMap<Long, Lease> LIVE_LEASES = new ConcurrentHashMap<>();

    private final int lanes;
    private final int laneCapacity;
    private final int laneShift;
    private final long laneMask;
    private final long lanesOffset;
    private final ThreadLocal<Lease> sendingLane = new ThreadLocal<>();

    /**
     * The lane the consumer found a message in last (one receiving thread at a time). Written
     * only when it changes: the producers of this handle read its final fields, on the same
     * cache line, on every message. (The consumer keeps no other state: the position of a slot it
     * has acquired is its sequence minus one.)
     */
    private int readingLane;
    /** Whether this handle has fenced the producers after finding the queue closed. */
    private boolean fencedAfterClose;

    /** A sending thread's lane: the handle and lane, its owner word, and the producer's copy of its head. */
    private static final class Lease {
        final FanInQueue queue;
        final int lane;
        final long owner;
        final Thread thread;
        long headCache;

        Lease(FanInQueue queue, int lane, long owner, Thread thread) {
            this.queue = queue;
            this.lane = lane;
            this.owner = owner;
            this.thread = thread;
        }
    }

    private FanInQueue(SharedRegion region) {
        super(region);
        requirePidFits();
        this.lanes = (int) region.parameter(FLAGS_PARAMETER);
        this.laneCapacity = capacity / lanes;
        this.laneShift = Integer.numberOfTrailingZeros(laneCapacity);
        this.laneMask = laneCapacity - 1;
        this.lanesOffset = laneOffset(capacity, maxLength, 0);
        this.readingLane = lanes - 1; // so that the first look is at lane 0
        for (int lane = 0; lane < lanes; lane++) {
            // -1: a producer killed between publishing and storing tail, its message since read.
            checkCounters("lane " + lane + ": ", headOffset(lane), tailOffset(lane), -1, laneCapacity);
        }
    }

    /**
     * Creates the queue with {@code lanes} lanes of {@code laneCapacity} messages each; fails if
     * the file exists.
     *
     * @param lanes        the most threads that may send at once (a power of two)
     * @param laneCapacity the messages each may have in the queue (a power of two, at least 2)
     */
    public static FanInQueue create(ShmFile file, int lanes, int laneCapacity, int maxMessageLength) {
        return new FanInQueue(createRegion(file, RegionKind.FAN_IN_QUEUE, capacity(lanes, laneCapacity),
                maxMessageLength, lanes));
    }

    /** Opens an existing queue, whatever its lanes, capacity and maximum message length. */
    public static FanInQueue open(ShmFile file) {
        return new FanInQueue(openRegion(file, RegionKind.FAN_IN_QUEUE, -1, -1, -1));
    }

    /**
     * Opens an existing queue, checking its parameters.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file is not a fan-in queue, or
     *         has other lanes, lane capacity or maximum message length
     */
    public static FanInQueue open(ShmFile file, int lanes, int laneCapacity, int maxMessageLength) {
        return new FanInQueue(openRegion(file, RegionKind.FAN_IN_QUEUE, capacity(lanes, laneCapacity),
                maxMessageLength, lanes));
    }

    /** Opens the queue, creating it if it does not exist (race-free between processes). */
    public static FanInQueue openOrCreate(ShmFile file, int lanes, int laneCapacity, int maxMessageLength) {
        return new FanInQueue(openOrCreateRegion(file, RegionKind.FAN_IN_QUEUE, capacity(lanes, laneCapacity),
                maxMessageLength, lanes));
    }

    private static int capacity(int lanes, int laneCapacity) {
        if (laneCapacity < 2 || Integer.bitCount(laneCapacity) != 1 || laneCapacity > MAX_CAPACITY / 2) {
            throw new IllegalArgumentException("lane capacity must be a power of two in 2.." + MAX_CAPACITY / 2
                    + ", was " + laneCapacity);
        }
        if (lanes < 1 || Integer.bitCount(lanes) != 1 || lanes > MAX_CAPACITY / laneCapacity) {
            throw new IllegalArgumentException("lanes must be a power of two in 1.." + MAX_CAPACITY / laneCapacity
                    + " (for lanes of " + laneCapacity + "), was " + lanes);
        }
        return lanes * laneCapacity;
    }

    /** The most threads that may send at once. */
    public int lanes() {
        return lanes;
    }

    /** The messages one sending thread may have in the queue. */
    public int laneCapacity() {
        return laneCapacity;
    }

    // ---------------------------------------------------------------- producer side

    @Override
    long tryClaim() {
        if (closed()) { // the check that counts is in commit; this one stops a blocked send
            throw closedForSending();
        }
        Lease lease = sendingLane.get();
        if (lease == null) {
            lease = lease();
        }
        long tailOffset = tailOffset(lease.lane);
        long word = Words.getLongOpaque(body, tailOffset);
        long tail = spscTailPosition(word);
        if (tail != word) { // a producer died publishing (see SpscQueue's notes)
            if (publishedBeforeRepair(Words.getLongAcquire(body, sequenceOffset(lease.lane, tail)), tail,
                    batchEndOffset(lease.lane))) {
                tail++;
            }
            Words.setLongOpaque(body, tailOffset, tail);
        }
        if (Long.compareUnsigned(tail - lease.headCache, laneCapacity) >= 0) {
            long head = Words.getLongAcquire(body, headOffset(lease.lane));
            if (tail - head < 0 || tail - head > laneCapacity) {
                throw corrupted("lane " + lease.lane + ": tail " + tail + " and head " + head
                        + " are not 0 <= tail - head <= " + laneCapacity);
            }
            lease.headCache = head;
            if (tail - head >= laneCapacity) {
                return NONE;
            }
        }
        return slot(lease.lane, tail);
    }

    @Override
    void commit(long position, int length) {
        int lane = (int) (position >>> laneShift);
        long tailOffset = tailOffset(lane);
        long tail = Words.getLongOpaque(body, tailOffset); // this thread's own word, as its claim left it
        writeLength(position, length);
        // Release, unlike SpscQueue's: a consumer that sees the bit must also see this thread's
        // lease (the owner word), to judge whether the sender is alive.
        Words.setLongRelease(body, tailOffset, spscPublishingTailWord(tail));
        fenceUnlessWaitersFence();
        if (closed()) { // after the bit: see the notes
            // Release: a consumer that reads this word must see the message published before it.
            Words.setLongRelease(body, tailOffset, tail);
            signalNotEmpty(); // a consumer waiting for this send to end
            throw closedForSending();
        }
        Words.setLongRelease(body, sequenceOffset(lane, tail), tail + 1);
        Words.setLongRelease(body, tailOffset, tail + 1);
        signalNotEmpty();
    }

    @Override
    void abandon(long position) {
        // Nothing was published: the next claim reuses the slot.
    }

    /** Leases a lane to the calling thread, or throws if every lane is held by a live sender. */
    private Lease lease() {
        int serial;
        do {
            serial = LEASE_SERIALS.incrementAndGet();
        } while (serial == 0);
        long owner = laneOwner(MY_PID, serial);
        for (int lane = 0; lane < lanes; lane++) {
            long offset = ownerOffset(lane);
            long current = Words.getLongVolatile(body, offset);
            Lease previous = laneOwnerPid(current) == MY_PID ? LIVE_LEASES.get(current) : null;
            if (current == 0 || ownerEnded(current, previous)) {
                Lease lease = new Lease(this, lane, owner, Thread.currentThread());
                LIVE_LEASES.put(owner, lease); // before the CAS: see LIVE_LEASES
                if (Words.compareAndSetLong(body, offset, current, owner)) {
                    if (previous != null) {
                        LIVE_LEASES.remove(current, previous);
                    }
                    lease.headCache = Words.getLongAcquire(body, headOffset(lane));
                    sendingLane.set(lease);
                    return lease;
                }
                LIVE_LEASES.remove(owner, lease);
            }
        }
        throw new IllegalStateException(region.file() + ": all " + lanes + " lanes are leased to live sending threads"
                + " (create the queue with more lanes, or close the handles of threads that have stopped sending)");
    }

    /**
     * Whether the lease {@code owner} is over: its process has exited, or it is this process's
     * and its thread has ended or its handle was closed ({@code ours}: its entry in
     * {@link #LIVE_LEASES}, null if none).
     */
    private static boolean ownerEnded(long owner, Lease ours) {
        long pid = laneOwnerPid(owner);
        if (pid != MY_PID) {
            return !ProcessIdentity.isAlive(pid);
        }
        return ours == null || !ours.thread.isAlive();
    }

    // ---------------------------------------------------------------- consumer side

    @Override
    long tryAcquire() {
        long slot = firstPublished(readingLane + 1);
        if (slot != NONE || !closed()) {
            return slot;
        }
        if (!fencedAfterClose) {
            fenceSenders();
            fencedAfterClose = true;
        }
        // Every lane's tail before any slot: see the notes.
        boolean sending = false;
        for (int lane = 0; lane < lanes; lane++) {
            long word = Words.getLongAcquire(body, tailOffset(lane));
            if (spscTailPosition(word) != word) {
                long owner = Words.getLongVolatile(body, ownerOffset(lane));
                sending |= !ownerEnded(owner, LIVE_LEASES.get(owner));
            }
        }
        long sentBefore = firstPublished(0);
        if (sentBefore != NONE || sending) {
            return sentBefore;
        }
        throw endOfStream();
    }

    /**
     * Fences every sending process (see the notes). Where membarrier is refused, senders of
     * processes that could not register fence themselves; for those of processes that could
     * while this one cannot (a seccomp filter here only), it waits a millisecond instead, far
     * longer than a store stays in a store buffer, though no architecture promises a bound.
     */
    private static void fenceSenders() {
        if (!Membarrier.fenceRegisteredProcesses()) {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
            long left;
            while ((left = until - System.nanoTime()) > 0) { // parkNanos may return early
                LockSupport.parkNanos(left);
            }
        }
    }

    /** The slot at the head of the first lane from {@code firstLane} on (round the ring) that has a message, or NONE. */
    private long firstPublished(int firstLane) {
        for (int i = 0; i < lanes; i++) {
            int lane = (firstLane + i) & (lanes - 1);
            // Acquire (as MpscQueue): a consumer taking over from another process sees its reads as done.
            long headOffset = headOffset(lane);
            long head = headAfterUnfinishedBatch(Words.getLongAcquire(body, headOffset), headOffset,
                    batchEndOffset(lane), tailOffset(lane), (long) lane << laneShift, laneCapacity, lane);
            if (published(lane, head)) {
                if (readingLane != lane) {
                    readingLane = lane;
                }
                return slot(lane, head);
            }
        }
        return NONE;
    }

    @Override
    long tryAcquireNext(long previous) {
        int lane = (int) (previous >>> laneShift);
        long next = positionOf(previous) + 1;
        return published(lane, next) ? slot(lane, next) : NONE;
    }

    @Override
    void release(long position) {
        Words.setLongRelease(body, headOffset((int) (position >>> laneShift)), positionOf(position) + 1);
        signalNotFull();
    }

    @Override
    void endBatch(long first, long last) {
        int lane = (int) (last >>> laneShift);
        giveBackZeroed(headOffset(lane), batchEndOffset(lane), positionOf(last) + 1, (long) lane << laneShift,
                laneCapacity, false);
    }

    /** The lane position of the acquired message in {@code slot}: its sequence minus one. */
    private long positionOf(long slot) {
        return Words.getLongOpaque(body, slotOffset(slot) + SLOT_STATE_OFFSET) - 1;
    }

    /** Whether the message at {@code position} of {@code lane} is there to read, from the slot's sequence. */
    private boolean published(int lane, long position) {
        long sequence = Words.getLongAcquire(body, sequenceOffset(lane, position));
        if (sequence == position + 1) {
            return true;
        }
        if (sequence != 0 && sequence != position + 1 - laneCapacity) {
            throw corrupted("lane " + lane + ": slot of position " + position + " holds sequence " + sequence
                    + ", expected " + (position + 1) + " (published), " + (position + 1 - laneCapacity) + " or 0 (free)");
        }
        return false;
    }

    // ---------------------------------------------------------------- state

    @Override
    long queuedNow() {
        long queued = 0;
        for (int lane = 0; lane < lanes; lane++) {
            long tail = spscTailPosition(Words.getLongVolatile(body, tailOffset(lane)));
            long head = Words.getLongVolatile(body, headOffset(lane));
            queued += Math.max(0, Math.min(laneCapacity, tail - head));
        }
        return queued;
    }

    @Override
    long queued(long tailWord, long head) {
        return spscTailPosition(tailWord) - head;
    }

    /**
     * Unmaps this handle, then frees the lanes leased through it. Unlike other queues' handles, a
     * lane freed here may be leased by another process at once: close a handle only after its
     * sending threads have stopped (a send racing with this close fails, as with any queue,
     * since the handle is unmapped first).
     */
    @Override
    public void close() {
        List<Lease> mine = new ArrayList<>();
        for (Lease lease : LIVE_LEASES.values()) {
            if (lease.queue == this) {
                mine.add(lease);
            }
        }
        super.close(); // first: once unmapped, no thread of this handle writes to a lane freed below
        for (Lease lease : mine) {
            LIVE_LEASES.remove(lease.owner, lease); // free for this process's other handles from now
        }
        if (mine.isEmpty()) {
            return;
        }
        try (SharedRegion again = SharedRegion.open(region.file(), RegionKind.FAN_IN_QUEUE)) {
            for (Lease lease : mine) {
                Words.compareAndSetLong(again.body(), ownerOffset(lease.lane), lease.owner, 0);
            }
        } catch (RuntimeException unlinkedOrReplaced) {
            // Another file, or none, has the name now: these lanes are free when this process ends.
        }
    }

    // ---------------------------------------------------------------- layout

    private long slot(int lane, long position) {
        return ((long) lane << laneShift) | (position & laneMask);
    }

    private long sequenceOffset(int lane, long position) {
        return slotOffset(slot(lane, position)) + SLOT_STATE_OFFSET;
    }

    private long tailOffset(int lane) {
        return lanesOffset + (long) lane * LANE_SIZE + LANE_TAIL_OFFSET;
    }

    private long batchEndOffset(int lane) {
        return lanesOffset + (long) lane * LANE_SIZE + LANE_BATCH_END_OFFSET;
    }

    private long ownerOffset(int lane) {
        return lanesOffset + (long) lane * LANE_SIZE + LANE_OWNER_OFFSET;
    }

    private long headOffset(int lane) {
        return lanesOffset + (long) lane * LANE_SIZE + LANE_HEAD_OFFSET;
    }
}
