package io.jshm.core.sync;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * A robust reentrant lock shared by threads of any number of processes: Python's
 * {@code multiprocessing.RLock}. The owner is one thread of one process; it may lock again
 * while it holds the lock, and must unlock as many times as it locked.
 *
 * <h2>Guarantees</h2>
 * Those of {@link ShmLock}, on which it is built:
 * <ul>
 *   <li>At most one thread, in all processes together, holds the lock; the last unlock
 *       happens-before the next owner's lock.</li>
 *   <li>Locking again while holding, and unlocking while still held more than once, touch only
 *       this process's cache line: no atomic instruction, no system call.</li>
 *   <li>If the owner's process dies, however many times it had locked, a waiter takes the lock
 *       over within {@value ShmLock#OWNER_CHECK_MILLIS} ms and is told so by
 *       {@link OwnerDiedException}; it then holds the lock once.</li>
 *   <li>Only the owner may unlock ({@link IllegalMonitorStateException} otherwise), as in
 *       Python.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * The body is a {@link ShmLock} line followed by a hold-count line (see
 * {@link ReentrantLockDescriptor}). The count is only read and written by the thread that owns
 * the lock, between its acquisition and its release, so plain-ordered accesses would do; they
 * are volatile anyway so that another process's diagnostic read ({@link #holdCount()} on a
 * snapshot) is not torn. Whether the caller owns the lock is
 * {@link ShmLock#isHeldByCurrentThread()}: the owner's pid in the lock word and its thread id
 * beside it, which no other thread can make true for this one. After taking the lock over from
 * a dead owner, the count is reset to 1 before {@link OwnerDiedException} is thrown.
 */
public final class ShmReentrantLock extends RegionObject {
    private static final long HOLD_COUNT = ReentrantLockDescriptor.HOLD_COUNT_OFFSET;

    private final ShmLock lock;
    private final Guard plainGuard = new Guard(false);
    private final Guard recoveredGuard = new Guard(true);

    private ShmReentrantLock(SharedRegion region) {
        super(region);
        region.requireBodySize(ReentrantLockDescriptor.SIZE);
        this.lock = ShmLock.embedded(file(), body.asSlice(ReentrantLockDescriptor.LOCK_OFFSET, LockDescriptor.SIZE));
    }

    /** Creates the lock, free; fails if the file exists. */
    public static ShmReentrantLock create(ShmFile file) {
        return wrap(SharedRegion.create(file, spec(), body -> { }), ShmReentrantLock::new);
    }

    /** Opens an existing lock, validating its file. */
    public static ShmReentrantLock open(ShmFile file) {
        return wrap(SharedRegion.open(file, RegionKind.REENTRANT_LOCK), ShmReentrantLock::new);
    }

    /** Opens the lock, creating it if needed; race-free between processes. */
    public static ShmReentrantLock openOrCreate(ShmFile file) {
        return wrap(SharedRegion.openOrCreate(file, spec(), body -> { }), ShmReentrantLock::new);
    }

    private static RegionSpec spec() {
        return RegionSpec.of(RegionKind.REENTRANT_LOCK, ReentrantLockDescriptor.SIZE);
    }

    /**
     * Acquires the lock, or adds one to the hold count if this thread holds it already.
     *
     * @throws OwnerDiedException if the lock was taken over from a dead owner (it is held then,
     *                            once)
     */
    public void lock() {
        if (!relock()) {
            try {
                lock.lock();
            } finally {
                setHoldCountIfOwner(1);
            }
        }
    }

    /**
     * Acquires the lock if it is free now or held by this thread; never parks.
     *
     * @throws OwnerDiedException if the lock was taken over from a dead owner (it is held then)
     */
    public boolean tryLock() {
        if (relock()) {
            return true;
        }
        try {
            return lock.tryLock();
        } finally {
            setHoldCountIfOwner(1);
        }
    }

    /**
     * Acquires the lock (or re-locks it), waiting at most {@code timeout}.
     *
     * @return whether the lock is now held
     * @throws OwnerDiedException   if the lock was taken over from a dead owner (it is held then)
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        if (relock()) {
            return true;
        }
        try {
            return lock.tryLock(timeout);
        } finally {
            setHoldCountIfOwner(1);
        }
    }

    /**
     * Acquires the lock (or re-locks it) for a try-with-resources block, which unlocks it once:
     * {@code try (var held = lock.acquire()) { if (held.ownerDied()) repair(); ... }}. Allocates
     * nothing unless the owner died.
     */
    public Guard acquire() {
        try {
            lock();
            return plainGuard;
        } catch (OwnerDiedException e) {
            return recoveredGuard;
        }
    }

    /**
     * Subtracts one from the hold count, and releases the lock when it reaches 0.
     *
     * @throws IllegalMonitorStateException if this thread does not hold the lock
     */
    public void unlock() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("unlock of reentrant lock " + file() + " by a thread that does not hold it ("
                    + lock + ")");
        }
        long count = Words.getLongVolatile(body, HOLD_COUNT);
        Words.setLongVolatile(body, HOLD_COUNT, count - 1);
        if (count <= 1) {
            lock.unlock();
        }
    }

    /** How many times the calling thread holds the lock: 0 if it does not. */
    public long holdCount() {
        return lock.isHeldByCurrentThread() ? Words.getLongVolatile(body, HOLD_COUNT) : 0;
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    /** Whether some thread of some process holds the lock (a snapshot). */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /** The pid of the process holding the lock, if any (a snapshot). */
    public OptionalLong ownerPid() {
        return lock.ownerPid();
    }

    /** How many times, over the file's life, a waiter took this lock over from a dead owner. */
    public long ownerDeaths() {
        return lock.ownerDeaths();
    }

    /**
     * Releases the lock entirely, whatever the hold count, for a condition wait.
     *
     * @return the hold count to restore with {@link #restore(long)}
     */
    long releaseFully() {
        long count = holdCount();
        if (count == 0) {
            throw new IllegalMonitorStateException("reentrant lock " + file() + " is not held by this thread");
        }
        Words.setLongVolatile(body, HOLD_COUNT, 0L);
        lock.unlock();
        return count;
    }

    /** Re-acquires the lock after {@link #releaseFully()}, with the hold count it had. */
    void restore(long count) {
        try {
            lock.lock();
        } finally {
            setHoldCountIfOwner(count);
        }
    }

    private boolean relock() {
        if (lock.isHeldByCurrentThread()) {
            Words.setLongVolatile(body, HOLD_COUNT, Words.getLongVolatile(body, HOLD_COUNT) + 1);
            return true;
        }
        return false;
    }

    private void setHoldCountIfOwner(long count) {
        if (lock.isHeldByCurrentThread()) {
            Words.setLongVolatile(body, HOLD_COUNT, count);
        }
    }

    @Override
    public String toString() {
        return "ShmReentrantLock[" + file() + ", " + lock + "]";
    }

    /**
     * A held lock, for try-with-resources: closing it unlocks once. Tells whether the lock was
     * taken over from an owner that died holding it.
     */
    public final class Guard implements AutoCloseable {
        private final boolean ownerDied;

        private Guard(boolean ownerDied) {
            this.ownerDied = ownerDied;
        }

        /** Whether the previous owner died holding the lock: what it guards may be inconsistent. */
        public boolean ownerDied() {
            return ownerDied;
        }

        /** Unlocks once. */
        @Override
        public void close() {
            unlock();
        }
    }
}
