package io.jshm.core.sync;

import io.jshm.core.process.JvmProcess;
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
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmReentrantLockTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void fourJvmsLockingNestedIncrementAPlainLongToExactlyTheirTotal() throws Exception {
        int processes = 4;
        int rounds = 5_000;
        try (ShmReentrantLock lock = ShmReentrantLock.create(ShmFile.of(dir, "rlock"));
             SharedRegion counter = SyncTesting.createScratch(dir, "counter", 1);
             Children children = new Children()) {
            for (int i = 0; i < processes; i++) {
                children.start(NestedIncrements.class, dir.toString(), Integer.toString(rounds));
            }
            children.assertAllExitCleanly(Duration.ofMinutes(2));
            assertEquals((long) processes * rounds, counter.body().get(ValueLayout.JAVA_LONG, 0));
            assertFalse(lock.isLocked());
        }
    }

    @Test
    void anotherProcessHoldingTheLockKeepsItUntilItsLastUnlockOrItsDeath() throws Exception {
        try (ShmReentrantLock lock = ShmReentrantLock.create(ShmFile.of(dir, "rlock"));
             Children children = new Children()) {
            JvmProcess holder = children.start(LockThriceUnlockTwiceUntilKilled.class, dir.toString());
            SyncTesting.awaitAnnounced(holder, dir, "held-once", Duration.ofSeconds(60));
            assertEquals(holder.pid(), lock.ownerPid().orElseThrow());
            assertFalse(lock.tryLock(), "one unlock of three leaves it held");
            assertFalse(lock.tryLock(Duration.ofMillis(50)));
            assertEquals(0, lock.holdCount());
            Children.kill(holder);
            OwnerDiedException died = assertThrows(OwnerDiedException.class, () -> lock.tryLock(Duration.ofSeconds(10)));
            assertEquals(holder.pid(), died.deadOwnerPid());
            assertEquals(1, lock.holdCount(), "taken over once, whatever the dead owner's count");
            lock.unlock();
            assertFalse(lock.isLocked());
            assertEquals(1, lock.ownerDeaths());
        }
    }

    @Test
    void theOwnerLocksAgainAndOnlyTheOwnerUnlocks() throws Exception {
        try (ShmReentrantLock lock = ShmReentrantLock.create(ShmFile.of(dir, "rlock"));
             ShmReentrantLock other = ShmReentrantLock.open(ShmFile.of(dir, "rlock"))) {
            lock.lock();
            assertTrue(other.tryLock(), "same thread, another handle on the same file: same lock");
            try (ShmReentrantLock.Guard held = lock.acquire()) {
                assertFalse(held.ownerDied());
                assertEquals(3, lock.holdCount());
            }
            AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
            Thread.ofPlatform().start(() -> {
                try {
                    assertFalse(other.tryLock(Duration.ofMillis(20)));
                    assertEquals(0, other.holdCount());
                    other.unlock();
                } catch (Throwable t) {
                    fromOtherThread.set(t);
                }
            }).join();
            assertInstanceOf(IllegalMonitorStateException.class, fromOtherThread.get());
            other.unlock();
            assertTrue(lock.isLocked());
            lock.unlock();
            assertFalse(lock.isLocked());
            assertThrows(IllegalMonitorStateException.class, lock::unlock);
        }
    }

    /** Increments the counter N times, each under the lock taken to a depth of 1 to 3. */
    public static final class NestedIncrements {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            int rounds = Integer.parseInt(args[1]);
            try (ShmReentrantLock lock = ShmReentrantLock.open(ShmFile.of(dir, "rlock"));
                 SharedRegion counter = SyncTesting.openScratch(dir, "counter")) {
                MemorySegment cell = counter.body();
                for (int i = 0; i < rounds; i++) {
                    int depth = 1 + i % 3;
                    for (int d = 1; d <= depth; d++) {
                        lock.lock();
                        if (lock.holdCount() != d) {
                            throw new AssertionError("hold count " + lock.holdCount() + " at depth " + d);
                        }
                    }
                    cell.set(ValueLayout.JAVA_LONG, 0, cell.get(ValueLayout.JAVA_LONG, 0) + 1);
                    for (int d = 0; d < depth; d++) {
                        lock.unlock();
                    }
                    if (lock.isHeldByCurrentThread()) {
                        throw new AssertionError("still held after unlocking as often as locked");
                    }
                }
            }
        }
    }

    /** Locks three times, unlocks twice, announces "held-once" and sleeps until killed. */
    public static final class LockThriceUnlockTwiceUntilKilled {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            ShmReentrantLock lock = ShmReentrantLock.open(ShmFile.of(dir, "rlock"));
            lock.lock();
            lock.lock();
            lock.lock();
            lock.unlock();
            lock.unlock();
            SyncTesting.announce(dir, "held-once");
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
