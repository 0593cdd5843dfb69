package io.jshm.queue;

import io.jshm.core.region.RegionDescriptor;

/**
 * The binary layout of a queue region's body (after the common region header of
 * {@link RegionDescriptor}), shared by {@link SpscQueue} and {@link MpmcQueue}. All offsets are
 * from the start of the body; values are little-endian.
 *
 * <p>Header parameters: {@code p0} = capacity in messages (a power of two, 2 ..
 * {@value #MAX_CAPACITY}), {@code p1} = maximum message length in bytes (0 ..
 * {@value #MAX_MESSAGE_LENGTH}), {@code p2} = flags ({@link #FLAG_JOINABLE}).
 *
 * <pre>
 *  line  offset  field                      written by
 *  0       0     closed-for-sending (int)   the closer, once
 *  1     128     tail: next position to claim (long)        producers
 *  2     256     head: next position to read (long)         consumers
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
 *
 *  slot  +0      MPMC: state (long, see MpmcQueue); SPSC: sequence, position + 1 once published
 *        +8      message length (int)
 *        +12     reserved
 *        +16     payload, maxMessageLength bytes, padded to a multiple of 8
 * </pre>
 *
 * Each hot word written by a different party sits on its own 128-byte line (adjacent-line
 * prefetch pairs 64-byte lines on x86). Slots are 8-byte aligned, so a payload can be read as
 * longs.
 */
public final class QueueDescriptor {
    public static final int CLOSED_OFFSET = 0;
    public static final int TAIL_OFFSET = 128;
    public static final int HEAD_OFFSET = 256;
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

    public static final int SLOT_STATE_OFFSET = 0;
    public static final int SLOT_LENGTH_OFFSET = 8;
    public static final int SLOT_PAYLOAD_OFFSET = 16;

    /** Header parameter indexes. */
    public static final int CAPACITY_PARAMETER = 0;
    public static final int MAX_LENGTH_PARAMETER = 1;
    public static final int FLAGS_PARAMETER = 2;

    /** Flag: the queue counts tasks for {@link JoinableQueue#join}. */
    public static final long FLAG_JOINABLE = 1;

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
