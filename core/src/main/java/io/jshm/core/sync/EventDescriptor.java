package io.jshm.core.sync;

/**
 * The layout of a {@link ShmEvent} region's body: one 128-byte line.
 *
 * <pre>
 *  offset  size  field
 *       0     4  state word (the futex word):
 *                  bit 0      {@link #SET_BIT}: the flag
 *                  bit 1      {@link #WAITERS_BIT}: a thread may be parked
 *                  bits 2..31 how many times the flag went from clear to set (wraps)
 *       4   124  reserved, zero
 * </pre>
 */
public final class EventDescriptor {
    public static final int STATE_OFFSET = 0;

    public static final int SET_BIT = 1;
    public static final int WAITERS_BIT = 2;
    /** Added to the state word each time the flag is set: the "set count" lives above the two flag bits. */
    public static final int SET_COUNT_UNIT = 4;

    /** Bytes of the body. */
    public static final int SIZE = 128;

    private EventDescriptor() {
    }
}
