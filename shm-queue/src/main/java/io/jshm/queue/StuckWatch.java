package io.jshm.queue;

import java.util.concurrent.TimeUnit;

/**
 * Tells a waiter when the slot state it keeps finding has stayed the same for
 * {@link ShmQueue#STUCK_MILLIS}: the point at which it checks whether the process holding the
 * slot is still alive. One per queue handle, used on slow paths only. Threads sharing a handle
 * race on its two fields harmlessly: a torn view only restarts or shortens one period, and the
 * liveness check that follows is what decides.
 */
final class StuckWatch {
    private static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(ShmQueue.STUCK_MILLIS);
    /**
     * How many times in a row a state must be shown before the clock is read. A consumer that
     * keeps up with its producers finds "nothing yet" after nearly every message, each time in a
     * new state; reading the clock (20 to 50 ns through the vDSO on a virtual machine) on each
     * would cost every message that much. A waiter polls far more often than this while it spins
     * and yields, before it parks, so the period still starts within microseconds.
     */
    private static final int POLLS_BEFORE_CLOCK = 16;

    private long state = -1;
    private int polls;
    private long since;

    /**
     * Whether {@code seen} has been shown {@value #POLLS_BEFORE_CLOCK} times in a row and then
     * still for at least {@code STUCK_MILLIS}; a yes starts the next period, so a live holder
     * is checked once per period, not on every call.
     */
    boolean stuck(long seen) {
        if (seen != state) {
            state = seen;
            polls = 0;
            return false;
        }
        if (polls < POLLS_BEFORE_CLOCK) {
            if (++polls == POLLS_BEFORE_CLOCK) {
                since = System.nanoTime();
            }
            return false;
        }
        long now = System.nanoTime();
        if (now - since < STUCK_NANOS) {
            return false;
        }
        since = now;
        return true;
    }
}
