package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.region.RegionException;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeoutException;

import static io.jshm.core.sync.BarrierDescriptor.BROKEN_BIT;
import static io.jshm.core.sync.BarrierDescriptor.GENERATION_MASK;
import static io.jshm.core.sync.BarrierDescriptor.RESET_BIT;
import static io.jshm.core.sync.BarrierDescriptor.WAITERS_BIT;

/**
 * A cyclic barrier for a fixed number of parties, threads of any number of processes: Python's
 * {@code multiprocessing.Barrier}, with Java's {@code CyclicBarrier} exceptions.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>No party returns from {@link #await()} before all parties of its generation have
 *       arrived; everything each wrote before arriving is visible to all after. The barrier is
 *       then ready for the next generation, as often as wanted.</li>
 *   <li>{@code await} returns the arrival index, 0 for the first to arrive and
 *       {@code parties - 1} for the last (Python's numbering; Java's {@code CyclicBarrier}
 *       counts the other way).</li>
 *   <li>Broken state, as in both Python and Java: when a party times out (it gets
 *       {@link TimeoutException}), is interrupted, calls {@link #abort()}, or dies, every party
 *       waiting and every later {@code await} gets {@link BrokenBarrierException} naming the file
 *       and the cause, until {@link #reset()}.</li>
 *   <li>A party that dies never hangs the others. A party that took part in the last
 *       generation and dies (even by {@code kill -9}) before arriving in the current one is
 *       noticed by the waiting parties within about {@value Parking#SLICE_MILLIS} ms, and breaks
 *       the barrier. Consequences: a process that took part and then simply ends while others
 *       still wait for it breaks the barrier too (rightly: it will never come); before the
 *       first trip, and after a reset, parties are not yet known, so only timeouts bound a wait.
 *       A process that dies inside the barrier's short critical section is noticed through its
 *       robust lock and breaks the barrier as well.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * A robust {@link ShmLock} guards the state (generation, count, broken cause, history, the
 * arrivals' identities; see {@link BarrierDescriptor}); a separate phase word, changed only under
 * the lock, is what parties park on.
 * <ul>
 *   <li>Arrive: under the lock, refuse if broken, record pid and start time at the arrival
 *       index, count. The last to arrive trips: generation + 1, history gets a 1, this
 *       generation's arrivals become "the last generation's", the phase word is replaced by the
 *       new generation with {@code getAndSet}, and {@code FUTEX_WAKE} all if WAITERS was set.
 *       The unlock (a release) and the phase update (a full fence) publish what parties wrote
 *       before arriving.</li>
 *   <li>Wait: spin on the phase word, then CAS WAITERS in and park with the exact word seen.
 *       The lock holder's {@code getAndSet} either sees WAITERS and wakes, or makes the parker's
 *       CAS or the kernel's compare fail. A changed generation with no RESET bit, one step on,
 *       means "tripped" without touching the lock; anything else (a reset, several generations
 *       passed while this party slept) is settled under the lock from the 64-generation
 *       history.</li>
 *   <li>Dead parties: whenever a slice of parking ends, a waiter takes the lock and checks,
 *       against /proc, the last generation's parties that have not arrived yet.</li>
 * </ul>
 */
public final class ShmBarrier extends RegionObject {
    private static final long PHASE = BarrierDescriptor.PHASE_OFFSET;
    private static final long GENERATION = BarrierDescriptor.GENERATION_OFFSET;
    private static final long COUNT = BarrierDescriptor.COUNT_OFFSET;
    private static final long BROKEN = BarrierDescriptor.BROKEN_OFFSET;
    private static final long HISTORY = BarrierDescriptor.HISTORY_OFFSET;
    private static final long BREAKER = BarrierDescriptor.BREAKER_PID_OFFSET;
    private static final long CURRENT = BarrierDescriptor.ARRIVALS_OFFSET;
    private static final ProcessIdentity ME = ProcessIdentity.current();

    private final int parties;
    private final long previous;
    private final long phaseAddress;
    private final ShmLock lock;

    private ShmBarrier(SharedRegion region) {
        super(region);
        long recorded = region.parameter(BarrierDescriptor.PARTIES_PARAMETER);
        if (recorded < 1 || recorded > BarrierDescriptor.MAX_PARTIES) {
            throw new RegionException(file(), "records " + recorded + " parties, expected 1 to " + BarrierDescriptor.MAX_PARTIES);
        }
        this.parties = (int) recorded;
        region.requireBodySize(BarrierDescriptor.size(parties));
        this.previous = BarrierDescriptor.previousArrivalsOffset(parties);
        this.phaseAddress = address(PHASE);
        this.lock = ShmLock.embedded(file(), body.asSlice(BarrierDescriptor.LOCK_OFFSET, LockDescriptor.SIZE));
    }

    /** Creates a barrier for {@code parties} parties; fails if the file exists. */
    public static ShmBarrier create(ShmFile file, int parties) {
        return wrap(SharedRegion.create(file, spec(parties), body -> { }), ShmBarrier::new);
    }

    /** Opens an existing barrier, validating its file. */
    public static ShmBarrier open(ShmFile file) {
        return wrap(SharedRegion.open(file, RegionKind.BARRIER), ShmBarrier::new);
    }

    /**
     * Opens the barrier, creating it if needed; race-free between processes.
     *
     * @throws io.jshm.core.region.RegionMismatchException if it exists for another number of parties
     */
    public static ShmBarrier openOrCreate(ShmFile file, int parties) {
        return wrap(SharedRegion.openOrCreate(file, spec(parties), body -> { }), region -> {
            region.requireParameter(BarrierDescriptor.PARTIES_PARAMETER, "parties", parties);
            return new ShmBarrier(region);
        });
    }

    private static RegionSpec spec(int parties) {
        if (parties < 1 || parties > BarrierDescriptor.MAX_PARTIES) {
            throw new IllegalArgumentException("a barrier needs 1 to " + BarrierDescriptor.MAX_PARTIES + " parties, got " + parties);
        }
        return new RegionSpec(RegionKind.BARRIER, BarrierDescriptor.size(parties), parties, 0, 0);
    }

    /**
     * Waits until all parties have arrived.
     *
     * @return the arrival index: 0 for the first party, {@code parties - 1} for the last
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting
     * @throws InterruptedException   if interrupted while waiting; the barrier is broken then
     */
    public int await() throws InterruptedException, BrokenBarrierException {
        try {
            return awaitUntil(Deadline.NEVER);
        } catch (TimeoutException e) {
            throw new AssertionError("a wait without deadline timed out", e);
        }
    }

    /**
     * Waits at most {@code timeout} for all parties to arrive.
     *
     * @return the arrival index: 0 for the first party, {@code parties - 1} for the last
     * @throws TimeoutException       if the timeout passed; this breaks the barrier for the others
     * @throws BrokenBarrierException if the barrier is or becomes broken while waiting
     * @throws InterruptedException   if interrupted while waiting; the barrier is broken then
     */
    public int await(Duration timeout) throws InterruptedException, BrokenBarrierException, TimeoutException {
        return awaitUntil(Deadline.after(timeout));
    }

    /** Breaks the barrier: waiting and later parties get {@link BrokenBarrierException} until {@link #reset()}. */
    public void abort() {
        lockState();
        try {
            breakLocked(BarrierDescriptor.CAUSE_ABORTED, ME.pid());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the barrier to its initial state: parties waiting now get
     * {@link BrokenBarrierException}, and a broken barrier is usable again. The parties of the
     * last generation are forgotten, so that a dead one that caused the break is not held
     * against its replacement.
     */
    public void reset() {
        lockState();
        try {
            if (count() == 0 && brokenCause() == 0) {
                return;
            }
            endGeneration(false);
            body.asSlice(previous, (long) BarrierDescriptor.IDENTITY_SIZE * parties).fill((byte) 0);
            publishPhase((int) (generation() & GENERATION_MASK) | RESET_BIT);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the barrier is broken (a snapshot). */
    public boolean isBroken() {
        return (Words.getIntVolatile(body, PHASE) & BROKEN_BIT) != 0;
    }

    /** The number of parties needed to trip the barrier. */
    public int parties() {
        return parties;
    }

    /** Parties waiting in the current generation (a snapshot). */
    public int numberWaiting() {
        lockState();
        try {
            return count();
        } finally {
            lock.unlock();
        }
    }

    private int awaitUntil(Deadline deadline) throws InterruptedException, BrokenBarrierException, TimeoutException {
        long generation;
        int index;
        lockState();
        try {
            throwIfBroken();
            index = count();
            writeIdentity(CURRENT, index, ME.pid(), ME.startTime());
            if (index + 1 == parties) {
                endGeneration(true);
                MemorySegment.copy(body, CURRENT, body, previous, (long) BarrierDescriptor.IDENTITY_SIZE * parties);
                publishPhase((int) (generation() & GENERATION_MASK));
                return index;
            }
            Words.setInt(body, COUNT, index + 1);
            generation = generation();
        } finally {
            lock.unlock();
        }
        try {
            return awaitTrip(generation, index, deadline);
        } catch (InterruptedException e) {
            breakIfStill(generation, BarrierDescriptor.CAUSE_INTERRUPTED);
            throw e;
        }
    }

    private int awaitTrip(long generation, int index, Deadline deadline)
            throws InterruptedException, BrokenBarrierException, TimeoutException {
        int mine = (int) (generation & GENERATION_MASK);
        for (int i = 0; i < Parking.SPINS && phaseIs(mine); i++) {
            Thread.onSpinWait();
        }
        long sliceStart = System.nanoTime();
        while (true) {
            int seen = Words.getIntVolatile(body, PHASE);
            if ((seen & GENERATION_MASK) != mine) {
                return outcome(generation, seen, index);
            }
            if ((seen & BROKEN_BIT) != 0) {
                throw brokenException();
            }
            if ((seen & WAITERS_BIT) == 0) {
                if (Words.compareAndExchangeInt(body, PHASE, seen, seen | WAITERS_BIT) != seen) {
                    continue;
                }
                seen |= WAITERS_BIT;
            }
            if (!Parking.park(phaseAddress, seen, deadline, file())) {
                return timedOut(generation, index);
            }
            if (System.nanoTime() - sliceStart >= Parking.SLICE_NANOS) {
                breakIfPartyDied(generation);
                sliceStart = System.nanoTime();
            }
        }
    }

    private boolean phaseIs(int mine) {
        int phase = Words.getIntVolatile(body, PHASE);
        return (phase & GENERATION_MASK) == mine && (phase & BROKEN_BIT) == 0;
    }

    /** How the generation this party waited in ended, now that the phase shows another. */
    private int outcome(long generation, int seen, int index) throws BrokenBarrierException {
        int steps = ((seen & GENERATION_MASK) - (int) (generation & GENERATION_MASK)) & GENERATION_MASK;
        if (steps == 1) {
            if ((seen & RESET_BIT) == 0) {
                return index;
            }
            throw new BrokenBarrierException("barrier " + file() + " was reset while this party waited");
        }
        lockState();
        try {
            return endedByTrip(generation) ? index : throwReset();
        } finally {
            lock.unlock();
        }
    }

    private int throwReset() throws BrokenBarrierException {
        throw new BrokenBarrierException("barrier " + file() + " was reset while this party waited");
    }

    private boolean endedByTrip(long generation) throws BrokenBarrierException {
        long ago = generation() - 1 - generation;
        if (ago >= Long.SIZE) {
            throw new BrokenBarrierException("barrier " + file() + " went through " + (ago + 1)
                    + " generations while this party slept; how its own ended is no longer recorded");
        }
        return ((Words.getLong(body, HISTORY) >>> ago) & 1) != 0;
    }

    private int timedOut(long generation, int index) throws BrokenBarrierException, TimeoutException {
        lockState();
        try {
            if (generation() != generation) {
                if (endedByTrip(generation)) {
                    return index;
                }
                return throwReset();
            }
            throwIfBroken();
            breakLocked(BarrierDescriptor.CAUSE_TIMEOUT, ME.pid());
        } finally {
            lock.unlock();
        }
        throw new TimeoutException("timed out waiting at barrier " + file() + " (" + parties
                + " parties); the barrier is broken now");
    }

    private void breakIfStill(long generation, int cause) {
        lockState();
        try {
            if (generation() == generation) {
                breakLocked(cause, ME.pid());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Breaks the barrier if one of the last generation's parties has not arrived and is dead. */
    private void breakIfPartyDied(long generation) {
        lockState();
        try {
            if (generation() != generation || brokenCause() != 0) {
                return;
            }
            int arrived = count();
            for (int j = 0; j < parties; j++) {
                long pid = Words.getLong(body, previous + (long) j * BarrierDescriptor.IDENTITY_SIZE);
                long start = Words.getLong(body, previous + (long) j * BarrierDescriptor.IDENTITY_SIZE + 8);
                if (pid != 0 && !hasArrived(pid, start, arrived) && !new ProcessIdentity(pid, start).isAlive()) {
                    breakLocked(BarrierDescriptor.CAUSE_PARTY_DIED, pid);
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean hasArrived(long pid, long start, int arrived) {
        for (int i = 0; i < arrived; i++) {
            long offset = CURRENT + (long) i * BarrierDescriptor.IDENTITY_SIZE;
            if (Words.getLong(body, offset) == pid && Words.getLong(body, offset + 8) == start) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------------------------------
    // State changes, all under the lock

    /** Takes the lock; if its owner died inside the barrier, the state is suspect: break it. */
    private void lockState() {
        try {
            lock.lock();
        } catch (OwnerDiedException e) {
            breakLocked(BarrierDescriptor.CAUSE_LOCK_OWNER_DIED, e.deadOwnerPid());
        }
    }

    private void endGeneration(boolean tripped) {
        Words.setLong(body, HISTORY, (Words.getLong(body, HISTORY) << 1) | (tripped ? 1 : 0));
        Words.setLong(body, GENERATION, generation() + 1);
        Words.setInt(body, COUNT, 0);
        Words.setInt(body, BROKEN, 0);
        Words.setLong(body, BREAKER, 0L);
    }

    private void breakLocked(int cause, long pid) {
        if (brokenCause() != 0) {
            return;
        }
        Words.setInt(body, BROKEN, cause);
        Words.setLong(body, BREAKER, pid);
        publishPhase((Words.getIntVolatile(body, PHASE) & ~WAITERS_BIT) | BROKEN_BIT);
    }

    /** Replaces the phase word (only WAITERS can change under us) and wakes parked parties. */
    private void publishPhase(int phase) {
        int old = Words.getAndSetInt(body, PHASE, phase);
        if ((old & WAITERS_BIT) != 0) {
            Futex.wakeAll(phaseAddress);
        }
    }

    private void throwIfBroken() throws BrokenBarrierException {
        if (brokenCause() != 0) {
            throw brokenException();
        }
    }

    private BrokenBarrierException brokenException() {
        int cause = Words.getIntVolatile(body, BROKEN);
        long pid = Words.getLongVolatile(body, BREAKER);
        String why = switch (cause) {
            case BarrierDescriptor.CAUSE_TIMEOUT -> "a party (pid " + pid + ") timed out";
            case BarrierDescriptor.CAUSE_PARTY_DIED -> "a party (pid " + pid + ") died before arriving";
            case BarrierDescriptor.CAUSE_ABORTED -> "it was aborted (by pid " + pid + ")";
            case BarrierDescriptor.CAUSE_INTERRUPTED -> "a waiting party (pid " + pid + ") was interrupted";
            case BarrierDescriptor.CAUSE_LOCK_OWNER_DIED -> "a party (pid " + pid + ") died inside the barrier";
            default -> "it was broken (cause code " + cause + ")";
        };
        return new BrokenBarrierException("barrier " + file() + " is broken: " + why);
    }

    private void writeIdentity(long table, int index, long pid, long start) {
        long offset = table + (long) index * BarrierDescriptor.IDENTITY_SIZE;
        Words.setLong(body, offset, pid);
        Words.setLong(body, offset + 8, start);
    }

    private long generation() {
        return Words.getLong(body, GENERATION);
    }

    private int count() {
        return Words.getInt(body, COUNT);
    }

    private int brokenCause() {
        return Words.getInt(body, BROKEN);
    }

    @Override
    public String toString() {
        return "ShmBarrier[" + file() + ", " + parties + " parties" + (isBroken() ? ", broken" : "") + "]";
    }
}
