package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmLockTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void fiveJvmsIncrementAPlainLongUnderTheLockToExactly100000() throws Exception {
        int processes = 5;
        int increments = 20_000;
        try (SharedRegion counter = SharedRegion.create(ShmFile.of(dir, "counter"), RegionSpec.of(RegionKind.TEST, 8), b -> { });
             ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             Children children = new Children()) {
            for (int i = 0; i < processes; i++) {
                children.start(LockChildren.LockedIncrements.class, dir.toString(), Integer.toString(increments));
            }
            children.assertAllExitCleanly(Duration.ofMinutes(3));
            assertEquals((long) processes * increments, counter.body().get(ValueLayout.JAVA_LONG, 0));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void tryLockWithTimeoutFailsWhileAnotherProcessHoldsTheLock() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             Children children = new Children()) {
            startHolder(children);
            long start = System.nanoTime();
            assertFalse(lock.tryLock(Duration.ofMillis(100)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 100 && millis <= 1000, "tryLock(100 ms) returned after " + millis + " ms");
            assertFalse(lock.tryLock(), "tryLock() without timeout fails at once too");
            assertThrows(IllegalMonitorStateException.class, lock::unlock, "another process's lock is not ours to unlock");
        }
    }

    @Test
    void killingTheHolderLetsAWaiterTakeOverAndTellsItTheOwnerDied() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             Children children = new Children()) {
            JvmProcess holder = startHolder(children);
            assertEquals(holder.pid(), lock.ownerPid().orElseThrow());
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            CountDownLatch waiting = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                waiting.countDown();
                try {
                    lock.tryLock(Duration.ofSeconds(30));
                    outcome.set(new AssertionError("acquired without being told the owner died"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiting.await();
            Thread.sleep(200); // let the waiter park on the futex
            Children.kill(holder);
            long killedAt = System.nanoTime();
            waiter.join(Duration.ofSeconds(10));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            OwnerDiedException died = assertInstanceOf(OwnerDiedException.class, outcome.get());
            assertEquals(holder.pid(), died.deadOwnerPid());
            assertTrue(died.lockHeld());
            assertTrue(millis < 2000, "took over " + millis + " ms after the kill");
            assertEquals(1, lock.ownerDeaths());
            assertTrue(lock.isLocked());
            assertFalse(lock.isHeldByCurrentThread(), "the waiter thread holds it, not this one");
        }
    }

    @Test
    void anInterruptedLockStillParksAndTakesOverFromADeadHolderKeepingTheInterrupt() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             Children children = new Children()) {
            JvmProcess holder = startHolder(children);
            FutureTask<Boolean> locker = new FutureTask<>(() -> {
                Thread.currentThread().interrupt(); // lock() ignores interrupts, and must still wait properly
                try {
                    lock.lock();
                    throw new AssertionError("acquired without being told the owner died");
                } catch (OwnerDiedException expected) {
                    boolean keptInterrupt = Thread.interrupted();
                    lock.unlock();
                    return keptInterrupt;
                }
            });
            Thread.ofPlatform().daemon().start(locker);
            // The locker has reached its waiting loop; the holder dies only then. A locker whose
            // interrupt made every park return at once would spin there and never reach the
            // dead-owner check: the get below would time out.
            Children.await("the interrupted locker waiting", Duration.ofMinutes(1), lock::hasParkedWaiters, holder);
            Children.kill(holder);
            assertTrue(locker.get(10, TimeUnit.SECONDS), "the interrupt flag is restored when lock() returns");
        }
    }

    @Test
    void aLockHeldByADeadProcessIsRecoveredByGuardAndTryLockToo() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             Children children = new Children()) {
            JvmProcess holder = startHolder(children);
            Children.kill(holder);
            OwnerDiedException died = assertThrows(OwnerDiedException.class, lock::tryLock);
            assertTrue(died.getMessage().contains("died holding it"), died.getMessage());
            assertTrue(lock.isHeldByCurrentThread());
            lock.unlock();
            try (ShmLock.Guard guard = lock.acquire()) {
                assertFalse(guard.ownerDied(), "an orderly previous owner is no news");
            }
        }
    }

    @Test
    void uncontendedLockAndUnlockMakeNoSystemCall() {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"))) {
            long before = Futex.systemCallCount();
            for (int i = 0; i < 100_000; i++) {
                lock.lock();
                lock.unlock();
                try (ShmLock.Guard guard = lock.acquire()) {
                    assertFalse(guard.ownerDied());
                }
            }
            assertEquals(before, Futex.systemCallCount(), "futex system calls during 200,000 uncontended lock/unlock pairs");
        }
    }

    @Test
    void threadsOfOneProcessAreExcludedAndOnlyTheHolderMayUnlock() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"));
             SharedRegion counter = SharedRegion.create(ShmFile.of(dir, "counter"), RegionSpec.of(RegionKind.TEST, 8), b -> { })) {
            MemorySegment cell = counter.body();
            int threads = 4;
            int increments = 50_000;
            Thread[] workers = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                workers[t] = Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < increments; i++) {
                        try (ShmLock.Guard guard = lock.acquire()) {
                            cell.set(ValueLayout.JAVA_LONG, 0, cell.get(ValueLayout.JAVA_LONG, 0) + 1);
                        }
                    }
                });
            }
            for (Thread worker : workers) {
                worker.join(Duration.ofMinutes(2));
            }
            assertEquals((long) threads * increments, cell.get(ValueLayout.JAVA_LONG, 0));

            lock.lock();
            assertThrows(IllegalMonitorStateException.class, lock::lock, "not reentrant: relocking throws instead of hanging");
            AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
            Thread.ofPlatform().start(() -> {
                try {
                    lock.unlock();
                } catch (Throwable t) {
                    fromOtherThread.set(t);
                }
            }).join();
            assertInstanceOf(IllegalMonitorStateException.class, fromOtherThread.get());
            lock.unlock();
            assertThrows(IllegalMonitorStateException.class, lock::unlock, "unlocking a free lock");
        }
    }

    @Test
    void openingTheLockFileAsAnotherKindOrViceVersaFails() {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock"))) {
            assertThrows(io.jshm.core.region.RegionMismatchException.class,
                    () -> SharedRegion.open(ShmFile.of(dir, "lock"), RegionKind.BARRIER));
            try (ShmLock again = ShmLock.openOrCreate(ShmFile.of(dir, "lock"))) {
                lock.lock();
                assertTrue(again.isLocked(), "two mappings of one file are one lock");
                lock.unlock();
            }
            assertTrue(lock.unlink());
        }
    }

    private static <T> T assertInstanceOf(Class<T> type, Object value) {
        return org.junit.jupiter.api.Assertions.assertInstanceOf(type, value, () -> String.valueOf(value));
    }

    /** Starts a child that takes lock "lock" and holds it until killed; returns once it holds it. */
    private JvmProcess startHolder(Children children) throws InterruptedException {
        JvmProcess holder = children.start(LockChildren.HoldUntilKilled.class, dir.toString(), "lock");
        Children.awaitFile(holder, dir.resolve("lock.held"));
        return holder;
    }
}
