package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.region.RegionException;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * A counting semaphore shared by threads of any number of processes: Python's
 * {@code multiprocessing.Semaphore}, and, created with {@link #createBounded}, its
 * {@code BoundedSemaphore}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>The permits handed out never exceed the permits released plus the initial count, over
 *       all processes together. A {@link #release()} happens-before the acquire that takes its
 *       permit.</li>
 *   <li>A bounded semaphore refuses, with {@link IllegalStateException}, a release that would
 *       take it above its initial count (Python raises {@code ValueError}); the count is left
 *       unchanged.</li>
 *   <li>An uncontended acquire or release is one CAS (or atomic add) and makes no system call;
 *       {@code release} calls {@code FUTEX_WAKE} only when a thread may be parked, and wakes
 *       at most as many as it released permits.</li>
 *   <li>Not fair: a newcomer may take a permit before a thread that was woken for it, which then
 *       parks again (as {@code java.util.concurrent.Semaphore} in its default mode).</li>
 * </ul>
 *
 * <h2>Dead processes</h2>
 * A semaphore does not know who holds its permits (any thread may release, as in Python and in
 * Java), so a permit taken by a process that dies is lost, as in Python. What jshm guarantees is
 * that nobody hangs on it unknowingly: every acquire has a timed variant, and a process that may
 * die holding permits should use it. A process that dies while waiting leaves the waiters count
 * one too high, which costs later releases a {@code FUTEX_WAKE} system call, nothing more.
 *
 * <h2>Implementation notes</h2>
 * Two ints on one line (see {@link SemaphoreDescriptor}): the permits, which is the futex word,
 * and a count of threads that may be parked.
 * <ul>
 *   <li>Acquire: CAS permits {@code p -> p - 1} while {@code p > 0}. Otherwise spin a little, then
 *       increment waiters, re-read permits, and park with the expected value 0.</li>
 *   <li>Release: add to permits, then read waiters; wake if it is not 0. Both sides write one
 *       word and then read the other, with volatile (sequentially consistent) accesses, so at
 *       least one of them sees the other: either the releaser sees the waiter and wakes it, or
 *       the waiter sees the permit (or the kernel finds the word no longer 0 and does not park
 *       it).</li>
 *   <li>A waiter whose deadline passes tries once more before failing, so a wake-up aimed at it
 *       in its last instant is not wasted while a permit is there.</li>
 * </ul>
 */
public final class ShmSemaphore extends RegionObject {
    private static final long PERMITS = SemaphoreDescriptor.PERMITS_OFFSET;
    private static final long WAITERS = SemaphoreDescriptor.WAITERS_OFFSET;

    private final long permitsAddress;
    private final int initialPermits;
    private final boolean bounded;

    private ShmSemaphore(SharedRegion region) {
        super(region);
        region.requireBodySize(SemaphoreDescriptor.SIZE);
        long initial = region.parameter(SemaphoreDescriptor.INITIAL_PERMITS_PARAMETER);
        long boundedCode = region.parameter(SemaphoreDescriptor.BOUNDED_PARAMETER);
        if (initial < 0 || initial > Integer.MAX_VALUE
                || (boundedCode != SemaphoreDescriptor.BOUNDED && boundedCode != SemaphoreDescriptor.UNBOUNDED)) {
            throw new RegionException(file(), "semaphore header parameters are invalid: initial permits "
                    + initial + ", bounded code " + boundedCode);
        }
        this.permitsAddress = address(PERMITS);
        this.initialPermits = (int) initial;
        this.bounded = boundedCode == SemaphoreDescriptor.BOUNDED;
    }

    /** Creates a semaphore with {@code permits} permits; fails if the file exists. */
    public static ShmSemaphore create(ShmFile file, int permits) {
        return create(file, permits, false);
    }

    /**
     * Creates a bounded semaphore with {@code permits} permits: releasing it above that count is
     * an error. Fails if the file exists.
     */
    public static ShmSemaphore createBounded(ShmFile file, int permits) {
        return create(file, permits, true);
    }

    private static ShmSemaphore create(ShmFile file, int permits, boolean bounded) {
        return wrap(SharedRegion.create(file, spec(permits, bounded), body -> initialize(body, permits)), ShmSemaphore::new);
    }

    /** Opens an existing semaphore, bounded or not, validating its file. */
    public static ShmSemaphore open(ShmFile file) {
        return wrap(SharedRegion.open(file, RegionKind.SEMAPHORE), ShmSemaphore::new);
    }

    /**
     * Opens the semaphore, creating it if needed; race-free between processes.
     *
     * @throws io.jshm.core.region.RegionMismatchException if it exists with another initial count
     *                                                     or boundedness
     */
    public static ShmSemaphore openOrCreate(ShmFile file, int permits, boolean bounded) {
        RegionSpec spec = spec(permits, bounded);
        return wrap(SharedRegion.openOrCreate(file, spec, body -> initialize(body, permits)), region -> {
            region.requireParameter(SemaphoreDescriptor.INITIAL_PERMITS_PARAMETER, "initial permits", permits);
            region.requireParameter(SemaphoreDescriptor.BOUNDED_PARAMETER, "bounded", spec.parameter1(),
                    code -> code == SemaphoreDescriptor.BOUNDED ? "bounded" : "unbounded");
            return new ShmSemaphore(region);
        });
    }

    private static RegionSpec spec(int permits, boolean bounded) {
        if (permits < 0) {
            throw new IllegalArgumentException("a semaphore's initial permits must not be negative, was " + permits);
        }
        return new RegionSpec(RegionKind.SEMAPHORE, SemaphoreDescriptor.SIZE, permits,
                bounded ? SemaphoreDescriptor.BOUNDED : SemaphoreDescriptor.UNBOUNDED, 0);
    }

    private static void initialize(MemorySegment body, int permits) {
        body.set(ValueLayout.JAVA_INT, PERMITS, permits);
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if the thread is interrupted while waiting (noticed within
     *                              {@value Parking#SLICE_MILLIS} ms)
     */
    public void acquire() throws InterruptedException {
        acquireUntil(Deadline.NEVER);
    }

    /** Takes a permit if one is available now; never parks. */
    public boolean tryAcquire() {
        while (true) {
            int permits = permits();
            if (permits <= 0) {
                return false;
            }
            if (Words.compareAndExchangeInt(body, PERMITS, permits, permits - 1) == permits) {
                return true;
            }
        }
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @return whether a permit was taken
     */
    public boolean tryAcquire(Duration timeout) throws InterruptedException {
        return acquireUntil(Deadline.after(timeout));
    }

    /** Returns one permit. */
    public void release() {
        release(1);
    }

    /**
     * Returns {@code count} permits, waking up to {@code count} parked waiters.
     *
     * @throws IllegalStateException if the semaphore is bounded and this would take it above its
     *                               initial count, or if the count would overflow an int
     */
    public void release(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("release count must be positive, was " + count);
        }
        int limit = bounded ? initialPermits : Integer.MAX_VALUE;
        while (true) {
            int permits = permits();
            if (permits > limit - count) {
                throw new IllegalStateException("semaphore " + file() + " released too many times: " + permits
                        + " permits available, releasing " + count + " more would exceed "
                        + (bounded ? "its bound of " + limit : "the int range"));
            }
            if (Words.compareAndExchangeInt(body, PERMITS, permits, permits + count) == permits) {
                break;
            }
        }
        int waiters = Words.getIntVolatile(body, WAITERS);
        if (waiters > 0) {
            Futex.wake(permitsAddress, Math.min(count, waiters));
        }
    }

    /** The permits available now (a snapshot). */
    public int availablePermits() {
        return permits();
    }

    /** The initial count, recorded in the header. */
    public int initialPermits() {
        return initialPermits;
    }

    /** Whether releasing above the initial count is refused. */
    public boolean isBounded() {
        return bounded;
    }

    private boolean acquireUntil(Deadline deadline) throws InterruptedException {
        if (tryAcquire()) {
            return true;
        }
        for (int i = 0; i < Parking.SPINS; i++) {
            if (permits() > 0 && tryAcquire()) {
                return true;
            }
            Thread.onSpinWait();
        }
        while (true) {
            if (tryAcquire()) {
                return true;
            }
            Words.getAndAddInt(body, WAITERS, 1);
            try {
                if (permits() == 0 && !Parking.park(permitsAddress, 0, deadline, file())) {
                    return tryAcquire();
                }
            } finally {
                Words.getAndAddInt(body, WAITERS, -1);
            }
        }
    }

    private int permits() {
        return Words.getIntVolatile(body, PERMITS);
    }

    @Override
    public String toString() {
        return "ShmSemaphore[" + file() + ", " + permits() + (bounded ? " of at most " + initialPermits : "")
                + " permits]";
    }
}
