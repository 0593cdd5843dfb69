package io.jshm.queue;

import io.jshm.core.os.ProcessIdentity;

import java.util.concurrent.TimeUnit;

/**
 * Tells a waiter when the slot state it keeps finding has stayed the same for
 * {@link ShmQueue#STUCK_MILLIS}: the point at which it checks whether the process holding the
 * slot is still alive. One per queue handle, used on slow paths only. Threads sharing a handle
 * race on its fields harmlessly: a torn view only restarts or shortens one period or adds one
 * check, and the liveness check is what decides.
 */
final class StuckWatch {
    private static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(ShmQueue.STUCK_MILLIS);
    /**
     * How many times in a row a state must be shown before the clock is read. A consumer that
     * keeps up with its producers finds "nothing yet" after nearly every message, each time in a
     * new state; reading the clock (20 to 50 ns through the vDSO on a virtual machine) on each
     * would cost every message that much. A waiter polls far more often than this while it spins
     * and yields, so the period starts within microseconds; for a state first seen after a
     * wake-up, by a caller that then parks again, it starts when the caller parks
     * ({@link #parking()}).
     */
    static final int POLLS_BEFORE_CLOCK = 16;

    private long state = -1;
    private int polls;
    private long since;
    private boolean checkNext;

    /**
     * Whether {@code seen} has been shown {@value #POLLS_BEFORE_CLOCK} times in a row and then
     * still for at least {@code STUCK_MILLIS}; a yes starts the next period, so a live holder
     * is checked once per period, not on every call. After {@link #holderDead} found a dead
     * holder, yes at once for the next state shown.
     */
    boolean stuck(long seen) {
        if (seen != state) {
            state = seen;
            polls = 0;
            boolean checkNow = checkNext;
            checkNext = false;
            return checkNow;
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

    /**
     * Tells the watch that its caller is about to park: from now on it looks at the slot only
     * at the end of each futex slice, so the clock starts now for the state shown last, if it
     * has not started yet (at {@value #POLLS_BEFORE_CLOCK} looks per period start, a waiter that
     * looks twice a slice would wait eight slices before its period even began).
     */
    void parking() {
        if (polls < POLLS_BEFORE_CLOCK) {
            polls = POLLS_BEFORE_CLOCK;
            since = System.nanoTime();
        }
    }

    /**
     * Whether the process {@code pid}, found holding the slot this watch reported stuck, is gone
     * (never this process, nor pid 0, which holds nothing). If so, the next state shown is
     * reported at once (one more liveness check, not a period): a process that dies while it
     * holds a run of slots (several claims made and none published) leaves the waiter that run
     * to step over, and a period for each slot would multiply the recovery time.
     */
    boolean holderDead(int pid) {
        if (pid == 0 || pid == ShmQueue.MY_PID || ProcessIdentity.isAlive(pid)) {
            return false;
        }
        checkNext = true;
        return true;
    }
}
