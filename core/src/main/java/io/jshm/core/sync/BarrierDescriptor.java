package io.jshm.core.sync;

/**
 * The layout of a {@link ShmBarrier} region. Header parameter 0 is the number of parties. Body:
 *
 * <pre>
 *  offset  size  field
 *       0   128  the barrier's robust lock ({@link LockDescriptor}), guarding everything below
 *                but the phase word
 *     128     4  phase word (the futex word), written under the lock, read without it:
 *                  bits 0..28 the generation's low bits ({@link #GENERATION_MASK})
 *                  bit 29     {@link #RESET_BIT}: this generation began with a reset, not a trip
 *                  bit 30     {@link #WAITERS_BIT}: a party may be parked (set by parties, CAS)
 *                  bit 31     {@link #BROKEN_BIT}: the barrier is broken
 *     256     8  generation, counting from 0: trips and resets each end one
 *     264     4  parties arrived in this generation
 *     268     4  broken: 0, or why ({@link #CAUSE_TIMEOUT} ...)
 *     272     8  history: bit k tells whether generation (generation - 1 - k) ended by a trip
 *     280     8  the pid behind the break (the party that timed out, died, aborted ...), or 0
 *     384  16*P  this generation's arrivals, by arrival index: pid, start time (8 + 8 bytes)
 *  384+16P 16*P  the last tripped generation's arrivals, the same way: the parties to watch
 * </pre>
 */
public final class BarrierDescriptor {
    public static final int LOCK_OFFSET = 0;
    public static final int PHASE_OFFSET = 128;
    public static final int GENERATION_OFFSET = 256;
    public static final int COUNT_OFFSET = 264;
    public static final int BROKEN_OFFSET = 268;
    public static final int HISTORY_OFFSET = 272;
    public static final int BREAKER_PID_OFFSET = 280;
    public static final int ARRIVALS_OFFSET = 384;
    /** Bytes per recorded party: pid then start time. */
    public static final int IDENTITY_SIZE = 16;

    public static final int PARTIES_PARAMETER = 0;
    /** The most parties a barrier may have. */
    public static final int MAX_PARTIES = 1 << 16;

    public static final int GENERATION_MASK = (1 << 29) - 1;
    public static final int RESET_BIT = 1 << 29;
    public static final int WAITERS_BIT = 1 << 30;
    public static final int BROKEN_BIT = 1 << 31;

    public static final int CAUSE_TIMEOUT = 1;
    public static final int CAUSE_PARTY_DIED = 2;
    public static final int CAUSE_ABORTED = 3;
    public static final int CAUSE_INTERRUPTED = 4;
    public static final int CAUSE_LOCK_OWNER_DIED = 5;

    private BarrierDescriptor() {
    }

    /** Offset of the last tripped generation's arrivals. */
    public static long previousArrivalsOffset(int parties) {
        return ARRIVALS_OFFSET + (long) IDENTITY_SIZE * parties;
    }

    /** Bytes of the body of a barrier for {@code parties}. */
    public static long size(int parties) {
        return ARRIVALS_OFFSET + 2L * IDENTITY_SIZE * parties;
    }
}
