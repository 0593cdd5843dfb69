package io.jshm.values;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.OwnerDiedException;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shared values and arrays across real child JVMs, all released at once from a start line so
 * that they truly run at the same time.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CrossProcessTest {
    private static final int WORKERS = 5;
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void fiveJvmsIncrementingAtomicallyLoseNothing() throws Exception {
        try (SharedLong counter = SharedLong.create(ShmFile.of(dir, Worker.COUNTER), 0)) {
            run(Worker.Mode.ATOMIC_INCREMENT, 200_000);
            assertEquals(1_000_000, counter.get());
        }
    }

    @Test
    void fiveJvmsReadingThenWritingUnderTheLockLoseNothing() throws Exception {
        try (SharedLong counter = SharedLong.create(ShmFile.of(dir, Worker.COUNTER), 0)) {
            run(Worker.Mode.LOCKED_READ_WRITE, 200_000);
            assertEquals(1_000_000, counter.get());
            assertTrue(!counter.getLock().isLocked(), "the lock is left free");
        }
    }

    @Test
    void fiveJvmsAddingHalvesToADoubleLoseNothing() throws Exception {
        try (SharedDouble total = SharedDouble.create(ShmFile.of(dir, Worker.COUNTER), 0.0)) {
            run(Worker.Mode.DOUBLE_ADD, 100_000);
            assertEquals(250_000.0, total.get());
        }
    }

    /** Proves the harness: without atomicity the same workers do lose updates. */
    @Test
    void plainReadThenWriteLosesUpdates() throws Exception {
        try (SharedLong counter = SharedLong.create(ShmFile.of(dir, Worker.COUNTER), 0)) {
            int iterations = 1_000_000;
            run(Worker.Mode.PLAIN_READ_WRITE, iterations);
            long expected = (long) WORKERS * iterations;
            long found = counter.get();
            assertTrue(found < expected, () -> "plain read-then-write by " + WORKERS + " JVMs ended at " + found
                    + ", expected it below " + expected + ": the workers did not run at the same time");
        }
    }

    @Test
    void arrayElementsIncrementedByOneJvmEachAreExact() throws Exception {
        try (SharedLongArray array = SharedLongArray.create(ShmFile.of(dir, Worker.ARRAY), WORKERS)) {
            run(Worker.Mode.ARRAY_DISJOINT, 100_000);
            long[] expected = new long[WORKERS];
            Arrays.fill(expected, 100_000);
            assertArrayEquals(expected, array.toArray());
        }
    }

    @Test
    void arrayElementsSharedByAllJvmsAreExact() throws Exception {
        int length = 3;
        int iterations = 99_999;
        try (SharedLongArray array = SharedLongArray.create(ShmFile.of(dir, Worker.ARRAY), length)) {
            run(Worker.Mode.ARRAY_OVERLAPPING, iterations);
            long[] expected = new long[length];
            for (int me = 0; me < WORKERS; me++) {
                for (int i = 0; i < iterations; i++) {
                    expected[(me + i) % length] += i % 3 + 1;
                }
            }
            assertArrayEquals(expected, array.toArray());
            assertEquals(LongStream.of(expected).sum(), LongStream.of(array.toArray()).sum());
        }
    }

    @Test
    void withLockReportsAHolderKilledMidUpdateThenWorksAgain() throws Exception {
        try (SharedLong counter = SharedLong.create(ShmFile.of(dir, Worker.COUNTER), 0);
             SharedIntArray gate = SharedIntArray.create(ShmFile.of(dir, Worker.GATE), 2);
             Children children = new Children()) {
            JvmProcess holder = children.start(workerBuilder(Worker.Mode.HOLD_LOCK_FOREVER, 0, 0, 1));
            openGate(gate, 1, holder);
            long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
            while (counter.get() != -1) {
                assertTrue(holder.isAlive() && System.nanoTime() < deadline, () -> "holder never took the lock: " + holder.output());
                Thread.sleep(5);
            }
            Children.kill(holder);

            OwnerDiedException died = assertThrows(OwnerDiedException.class, () -> counter.withLock(c -> c.set(0)));
            assertEquals(holder.pid(), died.deadOwnerPid());
            assertFalse(died.lockHeld());
            assertTrue(died.getMessage().contains("released again"), died.getMessage());
            assertEquals(-1, counter.get(), "the action did not run");
            assertTrue(!counter.getLock().isLocked(), "withLock released the recovered lock");
            counter.withLock(c -> c.set(0));
            assertEquals(0, counter.get());
        }
    }

    /** Starts {@link #WORKERS} children in {@code mode}, releases them together and waits for all to exit cleanly. */
    private void run(Worker.Mode mode, int iterations) throws Exception {
        try (SharedIntArray gate = SharedIntArray.create(ShmFile.of(dir, Worker.GATE), 2);
             Children children = new Children()) {
            JvmProcess[] started = new JvmProcess[WORKERS];
            for (int i = 0; i < WORKERS; i++) {
                started[i] = children.start(workerBuilder(mode, iterations, i, WORKERS));
            }
            openGate(gate, WORKERS, started);
            children.assertAllExitCleanly(RUN_TIMEOUT);
        }
    }

    private JvmProcess.Builder workerBuilder(Worker.Mode mode, int iterations, int index, int workers) {
        return JvmProcess.builder(Worker.class).name(mode + "-" + index)
                .args(dir.toString(), mode.name(), Integer.toString(iterations), Integer.toString(index), Integer.toString(workers));
    }

    /** Waits until {@code count} workers are at the start line, then lets them all go. */
    private static void openGate(SharedIntArray gate, int count, JvmProcess... workers) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        while (gate.get(0) < count) {
            for (JvmProcess worker : workers) {
                assertTrue(worker.isAlive(), () -> worker.name() + " ended before the start: " + worker.output());
            }
            assertTrue(System.nanoTime() < deadline, "workers did not reach the start line in time");
            Thread.sleep(2);
        }
        gate.set(1, 1);
    }
}
