package io.jshm.core.sync;

import io.jshm.core.os.Futex;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The one way the primitives of this package put a thread to sleep: a bounded futex wait that
 * notices interrupts and deadlines. Callers spin first ({@link #SPINS} reads with
 * {@link Thread#onSpinWait()}), then loop: re-check their condition, announce that they may be
 * parked (a waiters bit or count, so that wakers only {@code FUTEX_WAKE} when somebody may
 * sleep), and call {@link #park}. A futex wait may return for no reason; callers never trust a
 * return, they re-check.
 *
 * <p>A thread parks for at most {@link #SLICE_MILLIS} ms at a time: {@code Thread.interrupt()}
 * sends no signal, so an interrupt is noticed at the next slice boundary, and waiters that must
 * watch for dead processes (the barrier) do so between slices.
 */
final class Parking {
    /** Reads of the word before a waiter parks: enough to catch a hand-off in flight, short enough for 2 cores. */
    static final int SPINS = 100;
    /** The longest single futex wait. */
    static final long SLICE_MILLIS = 100;
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(SLICE_MILLIS);

    private Parking() {
    }

    /**
     * Parks the calling thread while the int at {@code address} holds {@code expected}, for at
     * most one slice and never past {@code deadline}.
     *
     * @param file names the object in the exception
     * @return false, without parking, if the deadline has passed; true otherwise, for whatever
     *         reason the wait ended
     * @throws InterruptedException if the thread was interrupted (checked before parking)
     */
    static boolean park(long address, int expected, Deadline deadline, Path file) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted while waiting on " + file);
        }
        long remaining = deadline.remainingNanos();
        if (remaining <= 0) {
            return false;
        }
        Futex.awaitSlice(address, expected, remaining, SLICE_NANOS);
        return true;
    }
}
