package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.time.Duration;

/**
 * A flag that threads of any number of processes can wait for: Python's
 * {@code multiprocessing.Event}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@link #set()} wakes every thread parked in {@link #await()}, in every process, and
 *       happens-before their return: what the setter wrote before {@code set()} is visible to
 *       them.</li>
 *   <li>A waiter returns {@code true} if the flag was set at any moment after it started waiting,
 *       even if it was cleared again before the waiter ran (as Python's {@code Event.wait} does).</li>
 *   <li>{@code set()} and {@code clear()} make no system call unless a waiter may be parked;
 *       {@code isSet()} and a wait on a set flag never make one.</li>
 *   <li>Waiters hold nothing: a process that dies waiting, setting or clearing leaves the event
 *       consistent.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * One 32-bit futex word (see {@link EventDescriptor}) holds the flag, a waiters bit and a count
 * of clear-to-set transitions.
 * <ul>
 *   <li>{@code set()}: CAS the word to (count + 1, SET, no WAITERS); if the old word had
 *       WAITERS, {@code FUTEX_WAKE} all. The CAS is a full fence, so the release of the setter's
 *       earlier writes is covered.</li>
 *   <li>A waiter reads the word; returns if SET, or if the count moved since it started. Else it
 *       CASes WAITERS in and parks with the exact word it saw: the kernel compares atomically, so
 *       a {@code set()} between the check and the sleep makes the wait return at once
 *       ({@code EAGAIN}) instead of being lost.</li>
 *   <li>WAITERS is only ever set while SET is clear, and every {@code set()} clears it while
 *       waking everyone, so a set flag never has WAITERS and a waker never misses a sleeper.</li>
 *   <li>{@code clear()} only removes SET, so the count still shows a waiter that a set happened.
 *       It could only be fooled by exactly 2^30 sets during one wait.</li>
 *   <li>A waiter that times out leaves WAITERS set; the next {@code set()} then makes one
 *       {@code FUTEX_WAKE} that finds nobody. Clearing it would need a count of parked waiters,
 *       which every wait would then have to write twice.</li>
 * </ul>
 */
public final class ShmEvent extends RegionObject {
    private static final long STATE = EventDescriptor.STATE_OFFSET;
    private static final int SET = EventDescriptor.SET_BIT;
    private static final int WAITERS = EventDescriptor.WAITERS_BIT;
    private static final int FLAGS = SET | WAITERS;

    private final long stateAddress;

    private ShmEvent(SharedRegion region) {
        super(region);
        region.requireBodySize(EventDescriptor.SIZE);
        this.stateAddress = address(STATE);
    }

    /** Creates the event, initially clear; fails if the file exists. */
    public static ShmEvent create(ShmFile file) {
        return wrap(SharedRegion.create(file, spec(), body -> { }), ShmEvent::new);
    }

    /** Opens an existing event, validating its file. */
    public static ShmEvent open(ShmFile file) {
        return wrap(SharedRegion.open(file, RegionKind.EVENT), ShmEvent::new);
    }

    /** Opens the event, creating it (clear) if needed; race-free between processes. */
    public static ShmEvent openOrCreate(ShmFile file) {
        return wrap(SharedRegion.openOrCreate(file, spec(), body -> { }), ShmEvent::new);
    }

    private static RegionSpec spec() {
        return RegionSpec.of(RegionKind.EVENT, EventDescriptor.SIZE);
    }

    /** Whether the flag is set (a snapshot). */
    public boolean isSet() {
        return (state() & SET) != 0;
    }

    /** Sets the flag and wakes every waiter of every process. Does nothing if it is set. */
    public void set() {
        while (true) {
            int old = state();
            if ((old & SET) != 0) {
                return;
            }
            int next = ((old & ~FLAGS) + EventDescriptor.SET_COUNT_UNIT) | SET;
            if (Words.compareAndExchangeInt(body, STATE, old, next) == old) {
                if ((old & WAITERS) != 0) {
                    Futex.wakeAll(stateAddress);
                }
                return;
            }
        }
    }

    /** Clears the flag: later waits block until the next {@link #set()}. */
    public void clear() {
        while (true) {
            int old = state();
            if ((old & SET) == 0 || Words.compareAndExchangeInt(body, STATE, old, old & ~SET) == old) {
                return;
            }
        }
    }

    /**
     * Waits until the flag is set.
     *
     * @throws InterruptedException if the thread is interrupted (noticed within
     *                              {@value Parking#SLICE_MILLIS} ms)
     */
    public void await() throws InterruptedException {
        awaitUntil(Deadline.NEVER);
    }

    /**
     * Waits at most {@code timeout} for the flag to be set.
     *
     * @return true if the flag was set at some moment during the wait, false on timeout
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitUntil(Deadline.after(timeout));
    }

    private boolean awaitUntil(Deadline deadline) throws InterruptedException {
        int start = state();
        if ((start & SET) != 0) {
            return true;
        }
        int startCount = start & ~FLAGS;
        for (int i = 0; i < Parking.SPINS; i++) {
            if (wasSetSince(state(), startCount)) {
                return true;
            }
            Thread.onSpinWait();
        }
        while (true) {
            int seen = state();
            if (wasSetSince(seen, startCount)) {
                return true;
            }
            if ((seen & WAITERS) == 0) {
                int witness = Words.compareAndExchangeInt(body, STATE, seen, seen | WAITERS);
                if (witness != seen) {
                    continue;
                }
                seen |= WAITERS;
            }
            if (!Parking.park(stateAddress, seen, deadline, file())) {
                return wasSetSince(state(), startCount);
            }
        }
    }

    private static boolean wasSetSince(int word, int startCount) {
        return (word & SET) != 0 || (word & ~FLAGS) != startCount;
    }

    private int state() {
        return Words.getIntVolatile(body, STATE);
    }

    @Override
    public String toString() {
        return "ShmEvent[" + file() + ", " + (isSet() ? "set" : "clear") + "]";
    }
}
