package io.jshm.core.sync;

import io.jshm.core.os.Futex;
import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.RegionMismatchException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmConditionTest {
    // The one-slot buffer: FULL (0 or 1), VALUE, SUM of everything consumed.
    private static final long FULL = 0;
    private static final long VALUE = 8;
    private static final long SUM = 16;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void aProducerAndAConsumerJvmHandOff100000ItemsThroughOneSlotWithoutALostWakeUp() throws Exception {
        int items = 100_000;
        try (ShmReentrantLock lock = ShmReentrantLock.create(ShmFile.of(dir, "lock"));
             ShmCondition notEmpty = ShmCondition.create(ShmFile.of(dir, "not-empty"), lock);
             ShmCondition notFull = ShmCondition.create(ShmFile.of(dir, "not-full"), lock);
             SharedRegion slot = SyncTesting.createScratch(dir, "slot", 3);
             Children children = new Children()) {
            long start = System.nanoTime();
            JvmProcess producer = children.start(HandOff.class, dir.toString(), "produce", Integer.toString(items));
            JvmProcess consumer = children.start(HandOff.class, dir.toString(), "consume", Integer.toString(items));
            children.assertAllExitCleanly(Duration.ofMinutes(2));
            // A lost wake-up would only cost its waiter a slice; so count the slices that ran out.
            for (JvmProcess child : List.of(producer, consumer)) {
                assertTrue(child.output().contains("slicesRunOut 0"), () -> child.name() + ": " + child.output());
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals((long) items * (items + 1) / 2, slot.body().get(ValueLayout.JAVA_LONG, SUM));
            assertEquals(0, notEmpty.waiters());
            assertEquals(0, notFull.waiters());
            System.out.println("condition hand-off: " + items + " items between two JVMs in " + millis + " ms");
        }
    }

    @Test
    void signalAllWakesEveryWaiterAndAwaitRestoresTheHoldCount() throws Exception {
        try (ShmReentrantLock lock = ShmReentrantLock.create(ShmFile.of(dir, "lock"));
             ShmCondition condition = ShmCondition.create(ShmFile.of(dir, "condition"), lock)) {
            AtomicInteger go = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiters.add(Thread.ofPlatform().start(() -> {
                    lock.lock();
                    lock.lock();
                    try {
                        if (condition.awaitUntil(() -> go.get() == 1, Duration.ofSeconds(30)) && lock.holdCount() == 2) {
                            done.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        lock.unlock();
                        lock.unlock();
                    }
                }));
            }
            awaitWaiters(condition, 3);
            lock.lock();
            try {
                go.set(1);
                condition.signalAll();
            } finally {
                lock.unlock();
            }
            for (Thread waiter : waiters) {
                assertTrue(waiter.join(Duration.ofSeconds(10)));
            }
            assertEquals(3, done.get());
        }
    }

    @Test
    void awaitTimesOutWithTheLockHeldAgainAndSignalNeedsTheLock() throws Exception {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "plain-lock"));
             ShmCondition condition = ShmCondition.create(ShmFile.of(dir, "condition"), lock)) {
            assertThrows(IllegalMonitorStateException.class, condition::signal);
            assertThrows(IllegalMonitorStateException.class, condition::await);
            lock.lock();
            long start = System.nanoTime();
            assertFalse(condition.await(Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            assertTrue(lock.isHeldByCurrentThread());
            condition.signal(); // nobody waits: no effect
            lock.unlock();
        }
    }

    @Test
    void openingWithAnotherLockIsAMismatch() {
        try (ShmLock lock = ShmLock.create(ShmFile.of(dir, "lock-a"));
             ShmLock other = ShmLock.create(ShmFile.of(dir, "lock-b"));
             ShmCondition ignored = ShmCondition.create(ShmFile.of(dir, "condition"), lock)) {
            RegionMismatchException e = assertThrows(RegionMismatchException.class,
                    () -> ShmCondition.open(ShmFile.of(dir, "condition"), other));
            assertTrue(e.getMessage().contains("lock-a") && e.getMessage().contains("lock-b"), e.getMessage());
            try (ShmCondition same = ShmCondition.openOrCreate(ShmFile.of(dir, "condition"), lock)) {
                assertEquals(lock.file().toAbsolutePath(), same.lockFile());
            }
        }
    }

    private static void awaitWaiters(ShmCondition condition, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (condition.waiters() < count) {
            assertTrue(System.nanoTime() < deadline, "waiters never arrived");
            Thread.sleep(5);
        }
    }

    /** "produce N" puts 1..N in the slot; "consume N" takes N items, checking their order. */
    public static final class HandOff {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            boolean produce = args[1].equals("produce");
            int items = Integer.parseInt(args[2]);
            try (ShmReentrantLock lock = ShmReentrantLock.open(ShmFile.of(dir, "lock"));
                 ShmCondition notEmpty = ShmCondition.open(ShmFile.of(dir, "not-empty"), lock);
                 ShmCondition notFull = ShmCondition.open(ShmFile.of(dir, "not-full"), lock);
                 SharedRegion slot = SyncTesting.openScratch(dir, "slot")) {
                MemorySegment s = slot.body();
                // Slices that run out while the other JVM is still starting are no lost wake-up:
                // count from the moment both sides have handed over an item.
                long slicesBefore = 0;
                for (long i = 1; i <= items; i++) {
                    if (i == 3) {
                        slicesBefore = Futex.slicesRunOutCount();
                    }
                    lock.lock();
                    try {
                        long wanted = produce ? 0 : 1;
                        while (s.get(ValueLayout.JAVA_LONG, FULL) != wanted) {
                            if (!(produce ? notFull : notEmpty).await(Duration.ofSeconds(20))
                                    && s.get(ValueLayout.JAVA_LONG, FULL) != wanted) {
                                throw new AssertionError("lost wake-up: item " + i + " not " + (produce ? "taken" : "put")
                                        + " within 20 s");
                            }
                        }
                        if (produce) {
                            s.set(ValueLayout.JAVA_LONG, VALUE, i);
                            s.set(ValueLayout.JAVA_LONG, FULL, 1);
                            notEmpty.signal();
                        } else {
                            long value = s.get(ValueLayout.JAVA_LONG, VALUE);
                            if (value != i) {
                                throw new AssertionError("took " + value + ", expected " + i);
                            }
                            s.set(ValueLayout.JAVA_LONG, SUM, s.get(ValueLayout.JAVA_LONG, SUM) + value);
                            s.set(ValueLayout.JAVA_LONG, FULL, 0);
                            notFull.signal();
                        }
                    } finally {
                        lock.unlock();
                    }
                }
                System.out.println("slicesRunOut " + (Futex.slicesRunOutCount() - slicesBefore));
            }
        }
    }
}
