package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.region.RegionException;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A condition variable shared by threads of any number of processes, bound to one of jshm's
 * locks ({@link ShmLock} or {@link ShmReentrantLock}): Python's
 * {@code multiprocessing.Condition}, with Java's {@code Condition} names.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     while (!ready()) {
 *         condition.await();
 *     }
 *     ...
 * } finally {
 *     lock.unlock();
 * }
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@code await} releases the lock (entirely, for a reentrant lock held several times) and
 *       re-acquires it (to the same hold count) before it returns or throws, even on timeout or
 *       interrupt.</li>
 *   <li>No lost wake-up: a {@link #signal()} made under the lock after a waiter began its
 *       {@code await} wakes that waiter or another one that was waiting.</li>
 *   <li>A spurious futex wake-up never ends an await by itself: the waiter goes back to sleep
 *       unless a signal was made. An await may still return after a signal aimed at another
 *       waiter (a "stolen" wake-up, which Java's {@code Condition} allows too), so callers wait
 *       in a loop on their predicate, or use {@link #awaitUntil}.</li>
 *   <li>{@code signal}, {@code signalAll} and {@code await} require the calling thread to hold
 *       the bound lock ({@link IllegalMonitorStateException} otherwise, as Python raises
 *       {@code RuntimeError}). A signal with nobody waiting makes no system call.</li>
 *   <li>Re-acquiring the lock after the wait follows the lock's robustness: if its owner died,
 *       {@link OwnerDiedException} is thrown with the lock held.</li>
 * </ul>
 *
 * <h2>Dead processes</h2>
 * A waiter holds nothing while it sleeps. One that dies asleep leaves the waiters count too high
 * by one, which only costs later signals a {@code FUTEX_WAKE} that finds nobody.
 *
 * <h2>Implementation notes</h2>
 * A sequence word (the futex word) and a waiters count (see {@link ConditionDescriptor}), the
 * design of the classic futex condition variable.
 * <ul>
 *   <li>await: under the lock, read the sequence and increment waiters; release the lock; park
 *       while the sequence is unchanged; decrement waiters; re-acquire the lock.</li>
 *   <li>signal: under the lock, if waiters is not 0, increment the sequence and
 *       {@code FUTEX_WAKE} one (all for {@code signalAll}).</li>
 *   <li>No lost wake-up: the waiter read the sequence while holding the lock, so a signal made
 *       under the lock later changes it. Whether the waiter is already parked (it is woken) or not
 *       yet (the kernel finds the word changed and does not park it), it sees the change. The
 *       waiters increment is made under the lock too, so a signaller never skips a waiter that
 *       has begun.</li>
 *   <li>Spurious wake-ups: a waiter trusts only the sequence, never the futex's return.</li>
 *   <li>The sequence wraps after 2^32 signals; a waiter asleep through exactly that many would
 *       miss one (the same bound as glibc's condition variables before 2.25).</li>
 * </ul>
 */
public final class ShmCondition extends RegionObject {
    private static final long SEQUENCE = ConditionDescriptor.SEQUENCE_OFFSET;
    private static final long WAITERS = ConditionDescriptor.WAITERS_OFFSET;

    private final long sequenceAddress;
    private final BoundLock lock;

    private ShmCondition(SharedRegion region, BoundLock lock) {
        super(region);
        region.requireBodySize(ConditionDescriptor.SIZE);
        this.sequenceAddress = address(SEQUENCE);
        this.lock = lock;
        String recorded = readLockPath(body);
        String given = lock.path;
        if (!recorded.equals(given)) {
            throw new RegionMismatchException(file(), "bound lock", recorded, given);
        }
    }

    /** Creates a condition bound to {@code lock}; fails if the file exists. */
    public static ShmCondition create(ShmFile file, ShmLock lock) {
        return create(file, new PlainLock(lock));
    }

    /** Creates a condition bound to {@code lock}; fails if the file exists. */
    public static ShmCondition create(ShmFile file, ShmReentrantLock lock) {
        return create(file, new ReentrantLock(lock));
    }

    /**
     * Opens an existing condition, which must have been created with {@code lock}.
     *
     * @throws RegionMismatchException if it was created with another lock
     */
    public static ShmCondition open(ShmFile file, ShmLock lock) {
        return open(file, new PlainLock(lock));
    }

    /**
     * Opens an existing condition, which must have been created with {@code lock}.
     *
     * @throws RegionMismatchException if it was created with another lock
     */
    public static ShmCondition open(ShmFile file, ShmReentrantLock lock) {
        return open(file, new ReentrantLock(lock));
    }

    /** Opens the condition, creating it bound to {@code lock} if needed; race-free between processes. */
    public static ShmCondition openOrCreate(ShmFile file, ShmLock lock) {
        return openOrCreate(file, new PlainLock(lock));
    }

    /** Opens the condition, creating it bound to {@code lock} if needed; race-free between processes. */
    public static ShmCondition openOrCreate(ShmFile file, ShmReentrantLock lock) {
        return openOrCreate(file, new ReentrantLock(lock));
    }

    private static ShmCondition create(ShmFile file, BoundLock lock) {
        byte[] path = lockPathBytes(file, lock);
        return wrap(SharedRegion.create(file, SPEC, body -> writeLockPath(body, path)), region -> new ShmCondition(region, lock));
    }

    private static ShmCondition open(ShmFile file, BoundLock lock) {
        return wrap(SharedRegion.open(file, RegionKind.CONDITION), region -> new ShmCondition(region, lock));
    }

    private static ShmCondition openOrCreate(ShmFile file, BoundLock lock) {
        byte[] path = lockPathBytes(file, lock);
        return wrap(SharedRegion.openOrCreate(file, SPEC, body -> writeLockPath(body, path)),
                region -> new ShmCondition(region, lock));
    }

    private static final RegionSpec SPEC = RegionSpec.of(RegionKind.CONDITION, ConditionDescriptor.SIZE);

    private static byte[] lockPathBytes(ShmFile file, BoundLock lock) {
        byte[] bytes = lock.path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > ConditionDescriptor.MAX_LOCK_PATH_BYTES) {
            throw new RegionException(file.path(), "the bound lock's path is " + bytes.length + " bytes, at most "
                    + ConditionDescriptor.MAX_LOCK_PATH_BYTES + " fit: " + lock.path);
        }
        return bytes;
    }

    private static void writeLockPath(MemorySegment body, byte[] path) {
        body.set(ValueLayout.JAVA_INT, ConditionDescriptor.LOCK_PATH_LENGTH_OFFSET, path.length);
        MemorySegment.copy(path, 0, body, ValueLayout.JAVA_BYTE, ConditionDescriptor.LOCK_PATH_OFFSET, path.length);
    }

    private String readLockPath(MemorySegment body) {
        int length = body.get(ValueLayout.JAVA_INT, ConditionDescriptor.LOCK_PATH_LENGTH_OFFSET);
        if (length <= 0 || length > ConditionDescriptor.MAX_LOCK_PATH_BYTES) {
            throw new RegionException(file(), "the recorded lock path length " + length + " is out of range");
        }
        byte[] bytes = body.asSlice(ConditionDescriptor.LOCK_PATH_OFFSET, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Releases the lock and waits for a signal, then re-acquires the lock.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     * @throws InterruptedException         if interrupted while waiting (noticed within
     *                                      {@value Parking#SLICE_MILLIS} ms; the lock is held again)
     */
    public void await() throws InterruptedException {
        awaitSignal(Deadline.NEVER);
    }

    /**
     * Releases the lock and waits at most {@code timeout} for a signal, then re-acquires the lock
     * (which may take longer than the timeout).
     *
     * @return false if the timeout passed without a signal
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return awaitSignal(Deadline.after(timeout));
    }

    /**
     * Waits until {@code predicate}, evaluated under the lock, is true, or {@code timeout}
     * passes: Python's {@code wait_for}.
     *
     * @return the predicate's last value
     */
    public boolean awaitUntil(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        Deadline deadline = Deadline.after(timeout);
        while (!predicate.getAsBoolean()) {
            if (deadline.hasPassed()) {
                return false;
            }
            awaitSignal(deadline);
        }
        return true;
    }

    /** Wakes one waiter, if there is any. The caller must hold the lock. */
    public void signal() {
        requireHeld("signal");
        if (Words.getIntVolatile(body, WAITERS) > 0) {
            Words.getAndAddInt(body, SEQUENCE, 1);
            Futex.wake(sequenceAddress, 1);
        }
    }

    /** Wakes every waiter. The caller must hold the lock. */
    public void signalAll() {
        requireHeld("signalAll");
        if (Words.getIntVolatile(body, WAITERS) > 0) {
            Words.getAndAddInt(body, SEQUENCE, 1);
            Futex.wakeAll(sequenceAddress);
        }
    }

    /** Threads of all processes waiting now (a snapshot; a waiter that died counts on). */
    public int waiters() {
        return Words.getIntVolatile(body, WAITERS);
    }

    /** The file of the lock this condition is bound to. */
    public Path lockFile() {
        return Path.of(lock.path);
    }

    private boolean awaitSignal(Deadline deadline) throws InterruptedException {
        requireHeld("await");
        int start = Words.getIntVolatile(body, SEQUENCE);
        Words.getAndAddInt(body, WAITERS, 1);
        long saved = lock.releaseFully();
        try {
            for (int i = 0; i < Parking.SPINS; i++) {
                if (signalledSince(start)) {
                    return true;
                }
                Thread.onSpinWait();
            }
            while (!signalledSince(start)) {
                if (!Parking.park(sequenceAddress, start, deadline, file())) {
                    return signalledSince(start);
                }
            }
            return true;
        } finally {
            Words.getAndAddInt(body, WAITERS, -1);
            lock.restore(saved);
        }
    }

    private boolean signalledSince(int start) {
        return Words.getIntVolatile(body, SEQUENCE) != start;
    }

    private void requireHeld(String operation) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException(operation + " on condition " + file()
                    + " by a thread that does not hold its lock " + lock.path);
        }
    }

    @Override
    public String toString() {
        return "ShmCondition[" + file() + ", lock " + lock.path + ", " + waiters() + " waiting]";
    }

    /** What a condition needs of its lock. */
    private abstract static class BoundLock {
        /** The lock's file as an absolute path: what the condition records and checks. */
        final String path;

        BoundLock(Path file) {
            this.path = file.toAbsolutePath().normalize().toString();
        }

        abstract boolean isHeldByCurrentThread();

        /** Releases the lock entirely; returns what {@link #restore} needs to take it back. */
        abstract long releaseFully();

        abstract void restore(long saved);
    }

    private static final class PlainLock extends BoundLock {
        private final ShmLock lock;

        PlainLock(ShmLock lock) {
            super(lock.file());
            this.lock = lock;
        }

        @Override
        boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        long releaseFully() {
            lock.unlock();
            return 1;
        }

        @Override
        void restore(long saved) {
            lock.lock();
        }
    }

    private static final class ReentrantLock extends BoundLock {
        private final ShmReentrantLock lock;

        ReentrantLock(ShmReentrantLock lock) {
            super(lock.file());
            this.lock = lock;
        }

        @Override
        boolean isHeldByCurrentThread() {
            return lock.isHeldByCurrentThread();
        }

        @Override
        long releaseFully() {
            return lock.releaseFully();
        }

        @Override
        void restore(long saved) {
            lock.restore(saved);
        }
    }
}
