package io.jshm.queue;

import io.jshm.core.region.RegionDescriptor;

/**
 * The binary layout of a queue region's body (after the common region header of
 * {@link RegionDescriptor}), shared by {@link SpscQueue}, {@link MpscQueue} and
 * {@link MpmcQueue}, and the encoding of its words. All offsets are from the start of the body;
 * values are little-endian.
 *
 * <p>Header parameters: {@code p0} = capacity in messages (a power of two, 2 ..
 * {@value #MAX_CAPACITY}), {@code p1} = maximum message length in bytes (0 ..
 * {@value #MAX_MESSAGE_LENGTH}), {@code p2} = flags ({@link #FLAG_JOINABLE}); for a
 * {@link FanInQueue}, {@code p2} = the number of lanes (a power of two, at most
 * {@code p0 / 2}), each lane {@code p0 / p2} consecutive slots.
 *
 * <pre>
 *  line  offset  field                      written by
 *  0       0     closed-for-sending (int)   the closer, once
 *  1     128     tail: next position to claim (long)        producers
 *                MPSC: a tail word, position << 22 | pid of the claimant of position - 1
 *                SPSC: position, with bit 63 set while the message at that position is being
 *                published ({@link #spscPublishingTailWord})
 *  2     256     head: next position to read (long)         consumers
 *        264     SPSC, MPSC: batch end (long), the head a consumer is giving back a batch up to   the consumer
 *  3     384     not-empty futex word (int): sequence << 2 | fenced bit | parked bit
 *                                          consumers set the bit to park, producers clear it to wake
 *        388     consumers waiting (int, observation only)  consumers, when they park
 *  4     512     not-full futex word (int): sequence << 2 | fenced bit | parked bit
 *                                          producers set the bit to park, consumers clear it to wake
 *        516     producers waiting (int, observation only)  producers, when they park
 *  5     640     skipped claims (long): slots claimed by a producer that died before publishing
 *        648     abandoned reads (long): messages being read by a consumer that died
 *  6     768     tasks in progress (long, joinable only): taken and not yet taskDone()
 *        776     join futex sequence (int)
 *        780     joiners waiting (int)
 *  7     896     slots: capacity x slotSize bytes
 *        then    fan-in queues only: lanes x {@value #LANE_SIZE} bytes of lane words ({@link #laneOffset}):
 *        +0        tail of the lane, as an SPSC tail word                    the lane's producer
 *        +8        owner: pid << 32 | a serial unique in that process, 0 if none    producers, by CAS
 *        +128      head of the lane                                          the consumer
 *        +136      batch end of the lane, as an SPSC batch end               the consumer
 *
 *  slot  +0      MPMC, MPSC: state (long, below); SPSC and a fan-in lane: sequence, position + 1
 *                once published (position counted in the lane); 0 if never written, or written
 *                over with zeros by a consumer giving back a batch (up to the end of the
 *                message; an MPSC consumer zeroes length and payload only)
 *        +8      message length (int)
 *        +12     reserved
 *        +16     payload, maxMessageLength bytes, padded to a multiple of 8
 * </pre>
 *
 * Each hot word written by a different party sits on its own 128-byte line (adjacent-line
 * prefetch pairs 64-byte lines on x86). Slots are 8-byte aligned, so a payload can be read as
 * longs.
 *
 * <p>Slot state (MPMC and MPSC): {@code position << 25 | kind << 22 | pid}, 39 bits of position
 * (compared modulo 2^39, by equality only), 3 bits of {@code KIND_*}, 22 bits of the pid that
 * holds or held the slot (0 for none). A new ring's slot {@code i} holds {@link #KIND_EMPTY} of
 * position {@code i}. What each kind means for each queue is in its implementation notes.
 *
 * <p>MPSC tail word: {@code position << 22 | pid}, 42 bits of the next position to claim (which
 * wraps at 2^42; distances to head are taken modulo 2^42) and the pid of the process that
 * claimed the position before it.
 */
public final class QueueDescriptor {
    public static final int CLOSED_OFFSET = 0;
    public static final int TAIL_OFFSET = 128;
    public static final int HEAD_OFFSET = 256;
    public static final int BATCH_END_OFFSET = 264;
    public static final int NOT_EMPTY_SEQUENCE_OFFSET = 384;
    public static final int CONSUMERS_WAITING_OFFSET = 388;
    public static final int NOT_FULL_SEQUENCE_OFFSET = 512;
    public static final int PRODUCERS_WAITING_OFFSET = 516;
    public static final int SKIPPED_CLAIMS_OFFSET = 640;
    public static final int ABANDONED_READS_OFFSET = 648;
    public static final int TASKS_IN_PROGRESS_OFFSET = 768;
    public static final int JOIN_SEQUENCE_OFFSET = 776;
    public static final int JOINERS_WAITING_OFFSET = 780;
    public static final int SLOTS_OFFSET = 896;

    /** Fan-in queues: the bytes of one lane's words, and their offsets in it. */
    public static final int LANE_SIZE = 256;
    public static final int LANE_TAIL_OFFSET = 0;
    public static final int LANE_OWNER_OFFSET = 8;
    public static final int LANE_HEAD_OFFSET = 128;
    public static final int LANE_BATCH_END_OFFSET = 136;

    public static final int SLOT_STATE_OFFSET = 0;
    public static final int SLOT_LENGTH_OFFSET = 8;
    public static final int SLOT_PAYLOAD_OFFSET = 16;

    /** Header parameter indexes. */
    public static final int CAPACITY_PARAMETER = 0;
    public static final int MAX_LENGTH_PARAMETER = 1;
    public static final int FLAGS_PARAMETER = 2;

    /** Flag: the queue counts tasks for {@link JoinableQueue#join}. */
    public static final long FLAG_JOINABLE = 1;

    /** Slot kinds. */
    public static final int KIND_EMPTY = 0;
    public static final int KIND_CLAIMED = 1;
    public static final int KIND_FULL = 2;
    public static final int KIND_READING = 3;
    public static final int KIND_SKIPPED = 4;

    /** Linux pids are below 2^22 ({@code PID_MAX_LIMIT}). */
    public static final int PID_BITS = 22;
    public static final long PID_MASK = (1L << PID_BITS) - 1;
    private static final int KIND_SHIFT = PID_BITS;
    private static final int POSITION_SHIFT = PID_BITS + 3;
    private static final long STATE_POSITION_MASK = -1L >>> POSITION_SHIFT;

    public static final int MAX_CAPACITY = 1 << 30;
    public static final int MAX_MESSAGE_LENGTH = Integer.MAX_VALUE - 64;

    private QueueDescriptor() {
    }

    /** The bytes one slot takes for messages of at most {@code maxMessageLength} bytes. */
    public static long slotSize(int maxMessageLength) {
        return (SLOT_PAYLOAD_OFFSET + (long) maxMessageLength + 7) & ~7L;
    }

    /** The body size of a queue of {@code capacity} slots. */
    public static long bodySize(int capacity, int maxMessageLength) {
        return SLOTS_OFFSET + capacity * slotSize(maxMessageLength);
    }

    /** Fan-in queues: the body size with {@code lanes} lanes. */
    public static long bodySize(int capacity, int maxMessageLength, int lanes) {
        return bodySize(capacity, maxMessageLength) + (long) lanes * LANE_SIZE;
    }

    /** Fan-in queues: the offset of lane {@code lane}'s words, after the slots. */
    public static long laneOffset(int capacity, int maxMessageLength, int lane) {
        return bodySize(capacity, maxMessageLength) + (long) lane * LANE_SIZE;
    }

    /** Fan-in queues: the owner word of a lane leased by {@code pid} under {@code serial}. */
    public static long laneOwner(long pid, int serial) {
        return pid << 32 | (serial & 0xFFFF_FFFFL);
    }

    /** Fan-in queues: the pid of a lane owner word. */
    public static long laneOwnerPid(long owner) {
        return owner >>> 32;
    }

    /** The slot state word for {@code position} (modulo 2^39), {@code kind} and {@code pid}. */
    public static long state(long position, int kind, int pid) {
        return (position << POSITION_SHIFT) | ((long) kind << KIND_SHIFT) | pid;
    }

    /** Whether the slot state {@code state} is of {@code position} (modulo 2^39), of any kind and pid. */
    public static boolean isAt(long state, long position) {
        return state >>> POSITION_SHIFT == (position & STATE_POSITION_MASK);
    }

    /** Whether the slot state {@code state} is of {@code position} (modulo 2^39) and {@code kind}, of any pid. */
    public static boolean isAt(long state, long position, int kind) {
        return (state & ~PID_MASK) == state(position, kind, 0);
    }

    public static int kind(long state) {
        return (int) (state >>> KIND_SHIFT) & 7;
    }

    public static int pid(long state) {
        return (int) (state & PID_MASK);
    }

    /** The bit of an SPSC tail word that says the producer is publishing the message at that position. */
    private static final long SPSC_PUBLISHING = Long.MIN_VALUE;

    /**
     * The SPSC tail word a producer stores before the slot's sequence of {@code position}, and
     * replaces with {@code position + 1} after it. Left in the file, it tells the next producer
     * that one died in between.
     */
    public static long spscPublishingTailWord(long position) {
        return position | SPSC_PUBLISHING;
    }

    /** The position of an SPSC tail word: the word itself unless a producer is (or died) publishing. */
    public static long spscTailPosition(long tailWord) {
        return tailWord & ~SPSC_PUBLISHING;
    }

    /** The MPSC tail word for next position {@code position} (modulo 2^42), claimed before by {@code pid}. */
    public static long tailWord(long position, int pid) {
        return position << PID_BITS | pid;
    }

    /** The next position to claim, of an MPSC tail word. */
    public static long tailPosition(long tailWord) {
        return tailWord >>> PID_BITS;
    }

    /** The pid of the claimant of the position before, of an MPSC tail word (0 if none yet). */
    public static int tailClaimant(long tailWord) {
        return (int) (tailWord & PID_MASK);
    }

    /** Checks the parameters of a new queue. */
    static void checkParameters(int capacity, int maxMessageLength) {
        if (capacity < 2 || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("queue capacity must be a power of two in 2.." + MAX_CAPACITY
                    + ", was " + capacity);
        }
        if (maxMessageLength < 0 || maxMessageLength > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("maximum message length must be in 0.." + MAX_MESSAGE_LENGTH
                    + ", was " + maxMessageLength);
        }
    }
}
