package io.jshm.values;

import io.jshm.core.region.RegionExistsException;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API of the single values, in one process: what every method returns and stores. */
class SharedValuesTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void longOperationsReturnAndStoreWhatAtomicLongDoes() {
        try (SharedLong v = SharedLong.create(ShmFile.of(dir, "v"), 40)) {
            assertTrue(v.wasCreated());
            assertEquals(40, v.get());
            assertEquals(41, v.incrementAndGet());
            assertEquals(41, v.getAndIncrement());
            assertEquals(42, v.getAndDecrement());
            assertEquals(40, v.decrementAndGet());
            assertEquals(40, v.getAndAdd(10));
            assertEquals(60, v.addAndGet(10));
            assertEquals(60, v.getAndSet(7));
            assertFalse(v.compareAndSet(8, 9));
            assertTrue(v.compareAndSet(7, 9));
            assertEquals(9, v.compareAndExchange(1, 2));
            assertEquals(9, v.compareAndExchange(9, 2));
            assertEquals(2, v.getAndUpdate(x -> x * 10));
            assertEquals(200, v.updateAndGet(x -> x * 10));
            assertEquals(200, v.getAndAccumulate(5, Long::sum));
            assertEquals(Long.MAX_VALUE, v.accumulateAndGet(Long.MAX_VALUE, Math::max));
            v.setRelease(-3);
            assertEquals(-3, v.getAcquire());
            v.setOpaque(Long.MIN_VALUE);
            assertEquals(Long.MIN_VALUE, v.getOpaque());
            v.setPlain(5);
            assertEquals(5, v.getPlain());
            assertEquals("5", v.toString());
        }
    }

    @Test
    void intOperationsReturnAndStoreWhatAtomicIntegerDoes() {
        try (SharedInt v = SharedInt.create(ShmFile.of(dir, "v"), Integer.MAX_VALUE)) {
            assertEquals(Integer.MIN_VALUE, v.incrementAndGet(), "wraps like int arithmetic");
            assertEquals(Integer.MIN_VALUE, v.getAndSet(3));
            assertEquals(3, v.getAndAdd(4));
            assertEquals(6, v.decrementAndGet());
            assertTrue(v.compareAndSet(6, 1));
            assertEquals(1, v.compareAndExchange(0, 5));
            assertEquals(16, v.accumulateAndGet(4, (a, b) -> a << b));
            assertEquals(16, v.getAndUpdate(x -> -x));
            assertEquals(-16, v.get());
        }
    }

    @Test
    void doubleAddsAndComparesBitPatterns() {
        try (SharedDouble v = SharedDouble.create(ShmFile.of(dir, "v"), 1.5)) {
            assertEquals(1.5, v.getAndAdd(0.25));
            assertEquals(2.0, v.addAndGet(0.25));
            assertEquals(2.0, v.getAndSet(0.0));
            assertFalse(v.compareAndSet(-0.0, 1.0), "0.0 and -0.0 are different bits");
            assertTrue(v.compareAndSet(0.0, Double.NaN));
            assertTrue(v.compareAndSet(Double.NaN, 3.0), "a NaN matches the same NaN");
            assertEquals(3.0, v.compareAndExchange(4.0, 5.0));
            assertEquals(3.0, v.getAndUpdate(Math::sqrt), 0.0);
            assertEquals(3.0, v.updateAndGet(x -> x * x), 1e-12);
            assertEquals(10.0, v.accumulateAndGet(10.0, Math::max));
            assertEquals(10.0, v.getAndAccumulate(2.0, (a, b) -> a / b));
            assertEquals(5.0, v.get());
            v.setRelease(Double.NEGATIVE_INFINITY);
            assertEquals(Double.NEGATIVE_INFINITY, v.getAcquire());
            assertEquals(Double.NEGATIVE_INFINITY, v.addAndGet(1.0));
        }
    }

    @Test
    void threadsIncrementingAndAddingLoseNothing() throws InterruptedException {
        try (SharedLong count = SharedLong.create(ShmFile.of(dir, "count"), 0);
             SharedDouble sum = SharedDouble.create(ShmFile.of(dir, "sum"), 0)) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        count.incrementAndGet();
                        sum.addAndGet(0.5);
                        count.updateAndGet(x -> x + 1);
                    }
                }));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertEquals(400_000, count.get());
            assertEquals(100_000.0, sum.get());
        }
    }

    @Test
    void aSecondMappingSeesTheSameValue() {
        ShmFile file = ShmFile.of(dir, "v");
        try (SharedLong a = SharedLong.create(file, 1);
             SharedLong b = SharedLong.open(file);
             SharedLong c = SharedLong.openOrCreate(file, 99)) {
            assertFalse(b.wasCreated());
            assertFalse(c.wasCreated());
            assertEquals(1, c.get(), "openOrCreate of an existing value ignores its initial value");
            a.addAndGet(5);
            assertEquals(6, b.get());
            b.withLock(x -> x.set(x.get() * 2));
            assertEquals(12, a.get());
        }
    }

    @Test
    void openOrCreateCreatesWithTheInitialValue() {
        try (SharedDouble v = SharedDouble.openOrCreate(ShmFile.of(dir, "v"), 2.5)) {
            assertTrue(v.wasCreated());
            assertEquals(2.5, v.get());
        }
    }

    @Test
    void lockGuardsCompoundUpdatesAndIsNotReentrant() {
        try (SharedLong v = SharedLong.create(ShmFile.of(dir, "v"), 3)) {
            try (var held = v.lock()) {
                assertFalse(held.ownerDied());
                assertTrue(v.getLock().isHeldByCurrentThread());
                v.setPlain(v.getPlain() * 7);
                assertThrows(IllegalMonitorStateException.class, () -> v.withLock(x -> x.set(0)));
            }
            assertFalse(v.getLock().isLocked());
            long before = v.computeWithLock(x -> x.getAndSet(x.get() + 1));
            assertEquals(21, before);
            assertEquals(22, v.get());
            assertThrows(ArithmeticException.class, () -> v.withLock(x -> x.set(1 / (x.get() - 22))));
            assertFalse(v.getLock().isLocked(), "an action that throws releases the lock");
        }
    }

    @Test
    void createFailsIfTheNameExistsAndUnlinkRemovesIt() {
        ShmFile file = ShmFile.of(dir, "v");
        try (SharedInt v = SharedInt.create(file, 1)) {
            assertThrows(RegionExistsException.class, () -> SharedInt.create(file, 2));
            assertTrue(v.unlink());
            v.set(5);
            assertEquals(5, v.get(), "the mapping outlives the name");
        }
        try (SharedInt again = SharedInt.create(file, 2)) {
            assertEquals(2, again.get());
        }
    }

    @Test
    void closedValuesThrowInsteadOfCrashing() {
        SharedLong v = SharedLong.create(ShmFile.of(dir, "v"), 1);
        v.close();
        assertFalse(v.isOpen());
        assertThrows(IllegalStateException.class, v::get);
        assertThrows(IllegalStateException.class, () -> v.set(1));
        assertTrue(v.toString().contains("closed"), v.toString());
        v.close();
    }
}
