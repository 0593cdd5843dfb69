package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A robust mutual-exclusion lock shared by threads of any number of processes: Python's
 * {@code multiprocessing.Lock}, minus its hang when the holder dies.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>At most one thread, in all processes together, holds the lock. Unlocking
 *       happens-before the next lock, across processes: what the holder wrote to shared memory
 *       is visible to the next holder.</li>
 *   <li>Uncontended {@code lock()}/{@code unlock()} make no system call: one CAS and one atomic
 *       exchange.</li>
 *   <li>A waiter spins briefly, then parks on a futex; {@code unlock()} calls {@code FUTEX_WAKE}
 *       only when a waiter may be parked.</li>
 *   <li>If the holder's process dies (even by {@code kill -9}), a waiter notices within
 *       {@value #OWNER_CHECK_MILLIS} ms, takes the lock over and is told so by
 *       {@link OwnerDiedException} (or {@link Guard#ownerDied()}), never silently.</li>
 *   <li>Only the thread that locked may unlock ({@link IllegalMonitorStateException}
 *       otherwise). The lock is not reentrant: relocking by the holder throws rather than
 *       deadlocks.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * This is Drepper's three-state mutex ("Futexes Are Tricky", mutex 3) with the owner's pid as
 * the "locked" value, like the kernel's PI and robust futexes store the owner's TID:
 * <ul>
 *   <li>{@code 0}: free. {@code pid}: held, nobody parked. {@code pid | WAITERS_BIT}: held, and
 *       a thread may be parked.</li>
 *   <li>Fast path: {@code CAS(0 -> pid)}. The CAS has acquire semantics and names the owner in
 *       the same step, so a process killed right after it is still identifiable.</li>
 *   <li>Slow path: spin a little reading the word (cheap, local cache line), then set
 *       {@code WAITERS_BIT} and {@code FUTEX_WAIT} on the word with the value it holds. A thread
 *       that acquires after having parked acquires as {@code pid | WAITERS_BIT}: it cannot know
 *       whether others still sleep, so it keeps the next unlock honest (Drepper's "2").</li>
 *   <li>Unlock: {@code getAndSet(0)} (release, and a full fence) and {@code FUTEX_WAKE(1)} only if
 *       the old value had {@code WAITERS_BIT}. The kernel compares the word with the expected
 *       value atomically with parking, so a wake can never fall between a waiter's check and its
 *       sleep.</li>
 *   <li>Dead owners: a waiter parks in slices of {@value #OWNER_CHECK_MILLIS} ms. When it
 *       returns to find the word unchanged (the slice ran out, or a spurious wake-up), it checks the owner named by the word against {@code /proc} (pid alive, not a
 *       zombie, same start time) and, if it is gone, CASes the exact word it saw to its own pid.
 *       The CAS fails if the lock changed hands meanwhile, so a stale verdict takes nothing. The
 *       owner's start time is recorded just after the acquiring CAS and cleared just before
 *       release, and by a taker (by CAS from the exact value it judged) just before its word CAS;
 *       a reader that finds it 0 judges by the pid alone. A taker reads the start time between
 *       two reads of the word that both name the owner, so it never judges one owner by another's
 *       start time.</li>
 * </ul>
 */
public final class ShmLock implements AutoCloseable {
    /** How long a waiter parks before it checks whether the owner still lives. */
    public static final long OWNER_CHECK_MILLIS = Parking.SLICE_MILLIS;

    private static final int WAITERS = LockDescriptor.WAITERS_BIT;

    private static final ProcessIdentity ME = ProcessIdentity.current();
    private static final int MY_PID = checkedPid(ME.pid());

    private final SharedRegion ownedRegion;
    private final Path file;
    private final MemorySegment line;
    private final long wordAddress;
    private final Guard plainGuard = new Guard(false);
    private final Guard recoveredGuard = new Guard(true);

    private ShmLock(SharedRegion ownedRegion, Path file, MemorySegment line) {
        if (line.byteSize() < LockDescriptor.SIZE || (line.address() & (LockDescriptor.SIZE - 1)) != 0) {
            throw new IllegalArgumentException("a lock needs " + LockDescriptor.SIZE
                    + " bytes on a 128-byte boundary, got " + line.byteSize() + " bytes at 0x" + Long.toHexString(line.address()));
        }
        this.ownedRegion = ownedRegion;
        this.file = file;
        this.line = line.asSlice(0, LockDescriptor.SIZE);
        this.wordAddress = this.line.address() + LockDescriptor.LOCK_WORD_OFFSET;
    }

    /** Creates the lock {@code name} in the default directory; fails if it exists. */
    public static ShmLock create(String name) {
        return create(ShmFile.of(name));
    }

    /** Creates the lock; fails with {@link io.jshm.core.region.RegionExistsException} if it exists. */
    public static ShmLock create(ShmFile file) {
        return standalone(SharedRegion.create(file, spec(), body -> { }));
    }

    /** Opens the existing lock {@code name} in the default directory. */
    public static ShmLock open(String name) {
        return open(ShmFile.of(name));
    }

    /** Opens an existing lock, validating its file. */
    public static ShmLock open(ShmFile file) {
        return standalone(SharedRegion.open(file, RegionKind.LOCK));
    }

    /** Opens the lock {@code name} in the default directory, creating it if needed. */
    public static ShmLock openOrCreate(String name) {
        return openOrCreate(ShmFile.of(name));
    }

    /** Opens the lock, creating it if needed; race-free between processes. */
    public static ShmLock openOrCreate(ShmFile file) {
        return standalone(SharedRegion.openOrCreate(file, spec(), body -> { }));
    }

    /**
     * A lock living inside another region's body, for objects that carry their own lock (a
     * shared value's {@code lock()}). The memory must be {@link LockDescriptor#SIZE} bytes on a
     * 128-byte boundary, zero when the region was created. Closing the returned lock does
     * nothing; the region's owner unmaps it.
     *
     * @param file names the region in exceptions
     */
    public static ShmLock embedded(Path file, MemorySegment line) {
        return new ShmLock(null, Objects.requireNonNull(file, "file"), line);
    }

    private static RegionSpec spec() {
        return RegionSpec.of(RegionKind.LOCK, LockDescriptor.SIZE);
    }

    private static ShmLock standalone(SharedRegion region) {
        try {
            region.requireBodySize(LockDescriptor.SIZE);
            return new ShmLock(region, region.file().path(), region.body());
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    /**
     * Acquires the lock, waiting as long as it takes.
     *
     * @throws OwnerDiedException if the lock was taken over from a dead owner (it is held then)
     * @throws IllegalMonitorStateException if this thread holds it already
     */
    public void lock() {
        if (!tryAcquireFast()) {
            throwIfOwnerDied(acquireSlow());
        }
    }

    /**
     * Acquires the lock if it is free now; never parks.
     *
     * @return whether the lock is now held
     * @throws OwnerDiedException if the lock was taken over from a dead owner (it is held then)
     */
    public boolean tryLock() {
        if (tryAcquireFast()) {
            return true;
        }
        int seen = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
        long outcome = seen == 0 ? NOT_ACQUIRED : takeOverIfOwnerDead(seen);
        throwIfOwnerDied(outcome);
        return outcome != NOT_ACQUIRED;
    }

    /**
     * Acquires the lock, waiting at most {@code timeout}.
     *
     * @return whether the lock is now held
     * @throws OwnerDiedException   if the lock was taken over from a dead owner (it is held then)
     * @throws InterruptedException if the thread was interrupted while waiting
     */
    public boolean tryLock(Duration timeout) throws InterruptedException {
        if (tryAcquireFast()) {
            return true;
        }
        long outcome = acquireSlowInterruptibly(Deadline.after(timeout));
        throwIfOwnerDied(outcome);
        return outcome != NOT_ACQUIRED;
    }

    /**
     * Acquires the lock for a try-with-resources block, which unlocks it:
     * {@code try (var held = lock.acquire()) { if (held.ownerDied()) repair(); ... }}.
     * Allocates nothing.
     */
    public Guard acquire() {
        if (tryAcquireFast()) {
            return plainGuard;
        }
        return acquireSlow() == ACQUIRED ? plainGuard : recoveredGuard;
    }

    /**
     * Releases the lock, waking one parked waiter if there may be one.
     *
     * @throws IllegalMonitorStateException if the calling thread does not hold the lock
     */
    public void unlock() {
        int word = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
        if ((word & ~WAITERS) != MY_PID
                || Words.getLongAcquire(line, LockDescriptor.OWNER_THREAD_OFFSET) != Thread.currentThread().threadId()) {
            throw new IllegalMonitorStateException("unlock of " + file + " by pid " + MY_PID + " thread "
                    + Thread.currentThread().getName() + ", which does not hold it (" + describeOwner(word) + ")");
        }
        Words.setLongRelease(line, LockDescriptor.OWNER_THREAD_OFFSET, 0L);
        Words.setLongRelease(line, LockDescriptor.OWNER_START_TIME_OFFSET, 0L);
        int old = Words.getAndSetInt(line, LockDescriptor.LOCK_WORD_OFFSET, 0);
        if ((old & WAITERS) != 0) {
            Futex.wake(wordAddress, 1);
        }
    }

    /** Whether some thread of some process holds the lock now (a snapshot). */
    public boolean isLocked() {
        return Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET) != 0;
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        int word = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
        return (word & ~WAITERS) == MY_PID
                && Words.getLongAcquire(line, LockDescriptor.OWNER_THREAD_OFFSET) == Thread.currentThread().threadId();
    }

    /** The pid of the process holding the lock, if any (a snapshot). */
    public OptionalLong ownerPid() {
        int word = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
        return word == 0 ? OptionalLong.empty() : OptionalLong.of(word & ~WAITERS);
    }

    /** How many times, over the file's life, a waiter took this lock over from a dead owner. */
    public long ownerDeaths() {
        return Words.getLongVolatile(line, LockDescriptor.OWNER_DEATHS_OFFSET);
    }

    /** The file holding this lock. */
    public Path file() {
        return file;
    }

    /** Unmaps a standalone lock's region; does nothing for an embedded lock. Never unlocks. */
    @Override
    public void close() {
        if (ownedRegion != null) {
            ownedRegion.close();
        }
    }

    /** Removes a standalone lock's file name (see {@link SharedRegion#unlink()}). */
    public boolean unlink() {
        if (ownedRegion == null) {
            throw new UnsupportedOperationException("an embedded lock is unlinked with the object holding it: " + file);
        }
        return ownedRegion.unlink();
    }

    @Override
    public String toString() {
        int word = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
        return "ShmLock[" + file + ", " + describeOwner(word) + "]";
    }

    // ---------------------------------------------------------------------------------------
    // Acquisition

    // The slow paths return ACQUIRED, NOT_ACQUIRED, or the pid of the dead owner taken over from.
    private static final long ACQUIRED = 0;
    private static final long NOT_ACQUIRED = -1;

    private void throwIfOwnerDied(long outcome) {
        if (outcome > 0) {
            throw new OwnerDiedException(file, outcome);
        }
    }

    /** Whether a waiter has announced that it parks (or is about to) until this lock is free; for tests. */
    boolean hasParkedWaiters() {
        return (Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET) & WAITERS) != 0;
    }

    private boolean tryAcquireFast() {
        if (Words.compareAndExchangeInt(line, LockDescriptor.LOCK_WORD_OFFSET, 0, MY_PID) == 0) {
            recordOwner();
            return true;
        }
        return false;
    }

    /**
     * Waits, ignoring interrupts, until acquired; the interrupt flag is cleared while it waits
     * (a set flag would make every park return at once: a busy loop that never reaches the
     * dead-owner check) and restored when it returns.
     */
    private long acquireSlow() {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    return acquireSlowInterruptibly(Deadline.NEVER);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long acquireSlowInterruptibly(Deadline deadline) throws InterruptedException {
        checkNotHeldByCurrentThread();
        for (int i = 0; i < Parking.SPINS; i++) {
            int seen = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
            if (seen == 0 && tryAcquireFast()) {
                return ACQUIRED;
            }
            Thread.onSpinWait();
        }
        while (true) {
            int seen = Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET);
            if (seen == 0) {
                if (Words.compareAndExchangeInt(line, LockDescriptor.LOCK_WORD_OFFSET, 0, MY_PID | WAITERS) == 0) {
                    recordOwner();
                    return ACQUIRED;
                }
                continue;
            }
            if ((seen & WAITERS) == 0) {
                int witness = Words.compareAndExchangeInt(line, LockDescriptor.LOCK_WORD_OFFSET, seen, seen | WAITERS);
                if (witness != seen) {
                    continue;
                }
                seen |= WAITERS;
            }
            if (!Parking.park(wordAddress, seen, deadline, file)) {
                return NOT_ACQUIRED;
            }
            // Unchanged after a park: the slice ran out (or the wake-up was spurious). Is the owner still there?
            if (Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET) == seen) {
                long outcome = takeOverIfOwnerDead(seen);
                if (outcome != NOT_ACQUIRED) {
                    return outcome;
                }
            }
        }
    }

    /**
     * If the owner named by {@code seen} is dead, takes the lock over with a CAS on exactly
     * {@code seen}, so that a lock that changed hands since is left alone. Returns the dead
     * owner's pid, or {@link #NOT_ACQUIRED}.
     */
    private long takeOverIfOwnerDead(int seen) {
        long ownerPid = seen & ~WAITERS;
        long ownerStart = Words.getLongAcquire(line, LockDescriptor.OWNER_START_TIME_OFFSET);
        if (Words.getIntVolatile(line, LockDescriptor.LOCK_WORD_OFFSET) != seen) {
            // The lock changed hands: ownerStart may be the next owner's, and judging the old pid
            // by it would find "dead" and clear a live owner's start time below.
            return NOT_ACQUIRED;
        }
        boolean alive = ownerStart == 0
                ? ProcessIdentity.isAlive(ownerPid)
                : new ProcessIdentity(ownerPid, ownerStart).isAlive();
        if (alive) {
            return NOT_ACQUIRED;
        }
        // Clear the dead owner's start time before the lock word names this process: in between
        // the word CAS and recordOwner, another thread would otherwise read (this pid, the dead
        // owner's start time), judge this process dead and take the lock a second time. With 0 it
        // checks the pid alone. A failed CAS means another thread is taking over (or took over).
        if (ownerStart != 0 && !Words.compareAndSetLong(line, LockDescriptor.OWNER_START_TIME_OFFSET, ownerStart, 0)) {
            return NOT_ACQUIRED;
        }
        if (Words.compareAndExchangeInt(line, LockDescriptor.LOCK_WORD_OFFSET, seen, MY_PID | WAITERS) != seen) {
            return NOT_ACQUIRED;
        }
        recordOwner();
        Words.getAndAddLong(line, LockDescriptor.OWNER_DEATHS_OFFSET, 1L);
        return ownerPid;
    }

    private void recordOwner() {
        Words.setLongRelease(line, LockDescriptor.OWNER_START_TIME_OFFSET, ME.startTime());
        Words.setLongRelease(line, LockDescriptor.OWNER_THREAD_OFFSET, Thread.currentThread().threadId());
    }

    private void checkNotHeldByCurrentThread() {
        if (isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("the lock in " + file
                    + " is not reentrant and this thread holds it already");
        }
    }

    private String describeOwner(int word) {
        if (word == 0) {
            return "free";
        }
        return "held by pid " + (word & ~WAITERS) + ((word & WAITERS) != 0 ? ", waiters may be parked" : "");
    }

    private static int checkedPid(long pid) {
        if (pid <= 0 || pid >= WAITERS) {
            throw new IllegalStateException("pid " + pid + " does not fit a lock word (pids must stay below 2^30)");
        }
        return (int) pid;
    }

    /**
     * A held lock, for try-with-resources: closing it unlocks. Tells whether the lock was taken
     * over from an owner that died holding it.
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

        /** The lock this guard holds. */
        public ShmLock lock() {
            return ShmLock.this;
        }

        /** Unlocks. */
        @Override
        public void close() {
            unlock();
        }
    }
}
