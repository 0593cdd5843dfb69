package io.jshm.core.sync;

import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmSemaphoreTest {
    private static final int PERMITS = 2;
    // Scratch longs: in use now, most ever in use, acquisitions.
    private static final long IN_USE = 0;
    private static final long MOST_IN_USE = 8;
    private static final long ACQUISITIONS = 16;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void fiveJvmsNeverHoldMorePermitsThanTheSemaphoreHas() throws Exception {
        int processes = 5;
        int rounds = 2_000;
        try (ShmSemaphore semaphore = ShmSemaphore.createBounded(ShmFile.of(dir, "semaphore"), PERMITS);
             SharedRegion counters = SyncTesting.createScratch(dir, "counters", 3);
             Children children = new Children()) {
            for (int i = 0; i < processes; i++) {
                children.start(PermitUser.class, dir.toString(), Integer.toString(rounds));
            }
            children.assertAllExitCleanly(Duration.ofMinutes(2));
            MemorySegment c = counters.body();
            long most = Words.getLongVolatile(c, MOST_IN_USE);
            assertTrue(most >= 1 && most <= PERMITS, "at most " + PERMITS + " permits in use at once, saw " + most);
            assertEquals((long) processes * rounds, Words.getLongVolatile(c, ACQUISITIONS));
            assertEquals(0, Words.getLongVolatile(c, IN_USE));
            assertEquals(PERMITS, semaphore.availablePermits());
        }
    }

    @Test
    void releasingABoundedSemaphoreAboveItsInitialCountIsAnError() throws Exception {
        try (ShmSemaphore semaphore = ShmSemaphore.createBounded(ShmFile.of(dir, "bounded"), 2)) {
            assertTrue(semaphore.tryAcquire());
            semaphore.release();
            IllegalStateException e = assertThrows(IllegalStateException.class, semaphore::release);
            assertTrue(e.getMessage().contains("bounded") && e.getMessage().contains("released too many times"), e.getMessage());
            assertEquals(2, semaphore.availablePermits(), "a refused release changes nothing");
            assertTrue(semaphore.tryAcquire(Duration.ZERO));
            assertThrows(IllegalStateException.class, () -> semaphore.release(2));
            assertEquals(1, semaphore.availablePermits());
        }
    }

    @Test
    void anUnboundedSemaphoreGrowsOnReleaseAndTimesOutWhenEmpty() throws Exception {
        try (ShmSemaphore semaphore = ShmSemaphore.create(ShmFile.of(dir, "plain"), 0);
             ShmSemaphore other = ShmSemaphore.open(ShmFile.of(dir, "plain"))) {
            assertFalse(other.isBounded());
            long start = System.nanoTime();
            assertFalse(semaphore.tryAcquire(Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            other.release(3);
            assertEquals(3, semaphore.availablePermits());
            for (int i = 0; i < 3; i++) {
                semaphore.acquire();
            }
            assertFalse(semaphore.tryAcquire());
        }
    }

    @Test
    void aReleaseWakesAThreadParkedInAcquire() throws Exception {
        try (ShmSemaphore semaphore = ShmSemaphore.create(ShmFile.of(dir, "handoff"), 0)) {
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    semaphore.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(200);
            assertTrue(waiter.isAlive());
            semaphore.release();
            assertTrue(waiter.join(Duration.ofSeconds(10)));
            assertEquals(0, semaphore.availablePermits());
        }
    }

    @Test
    void openOrCreateRefusesASemaphoreOfAnotherShape() {
        try (ShmSemaphore ignored = ShmSemaphore.openOrCreate(ShmFile.of(dir, "shaped"), 3, true)) {
            assertThrows(RegionMismatchException.class, () -> ShmSemaphore.openOrCreate(ShmFile.of(dir, "shaped"), 4, true));
            RegionMismatchException e = assertThrows(RegionMismatchException.class,
                    () -> ShmSemaphore.openOrCreate(ShmFile.of(dir, "shaped"), 3, false));
            assertTrue(e.getMessage().contains("bounded"), e.getMessage());
            try (ShmSemaphore same = ShmSemaphore.openOrCreate(ShmFile.of(dir, "shaped"), 3, true)) {
                assertEquals(3, same.initialPermits());
            }
        }
    }

    /** Takes and returns a permit N times, checking the shared in-use count each time. */
    public static final class PermitUser {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int rounds = Integer.parseInt(args[1]);
            try (ShmSemaphore semaphore = ShmSemaphore.open(ShmFile.of(dir, "semaphore"));
                 SharedRegion counters = SyncTesting.openScratch(dir, "counters")) {
                MemorySegment c = counters.body();
                for (int i = 0; i < rounds; i++) {
                    if (!semaphore.tryAcquire(Duration.ofSeconds(60))) {
                        throw new AssertionError("no permit within 60 s");
                    }
                    long inUse = Words.getAndAddLong(c, IN_USE, 1L) + 1;
                    long most;
                    while (inUse > (most = Words.getLongVolatile(c, MOST_IN_USE))
                            && !Words.compareAndSetLong(c, MOST_IN_USE, most, inUse)) {
                        Thread.onSpinWait();
                    }
                    if (inUse > PERMITS) {
                        throw new AssertionError(inUse + " permits in use at once");
                    }
                    Thread.onSpinWait();
                    Words.getAndAddLong(c, ACQUISITIONS, 1L);
                    Words.getAndAddLong(c, IN_USE, -1L);
                    semaphore.release();
                }
            }
        }
    }
}
