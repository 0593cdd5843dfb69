package io.jshm.values;

import io.jshm.core.region.ShmFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * The main class of the child JVMs of {@link CrossProcessTest}: opens the shared objects by
 * name, waits at the start line with its siblings, then does {@code iterations} of one kind of
 * update.
 *
 * <p>Arguments: directory, mode, iterations, this worker's index, number of workers.
 */
public final class Worker {
    /** Two ints: how many workers are at the start line, and the go flag. */
    static final String GATE = "gate";
    static final String COUNTER = "counter";
    static final String ARRAY = "array";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private Worker() {
    }

    /** The kinds of work, one per test. */
    enum Mode {
        ATOMIC_INCREMENT, LOCKED_READ_WRITE, PLAIN_READ_WRITE, DOUBLE_ADD, ARRAY_DISJOINT, ARRAY_OVERLAPPING, HOLD_LOCK_FOREVER
    }

    public static void main(String[] args) {
        Path directory = Path.of(args[0]);
        Mode mode = Mode.valueOf(args[1]);
        int iterations = Integer.parseInt(args[2]);
        int me = Integer.parseInt(args[3]);
        int workers = Integer.parseInt(args[4]);
        try (SharedIntArray gate = SharedIntArray.open(ShmFile.of(directory, GATE), 2)) {
            awaitStart(gate);
            switch (mode) {
                case ATOMIC_INCREMENT -> {
                    try (SharedLong counter = SharedLong.open(ShmFile.of(directory, COUNTER))) {
                        for (int i = 0; i < iterations; i++) {
                            counter.incrementAndGet();
                        }
                    }
                }
                case LOCKED_READ_WRITE -> {
                    try (SharedLong counter = SharedLong.open(ShmFile.of(directory, COUNTER))) {
                        for (int i = 0; i < iterations; i++) {
                            counter.withLock(c -> c.setPlain(c.getPlain() + 1));
                        }
                    }
                }
                case PLAIN_READ_WRITE -> {
                    try (SharedLong counter = SharedLong.open(ShmFile.of(directory, COUNTER))) {
                        for (int i = 0; i < iterations; i++) {
                            counter.set(counter.get() + 1);
                        }
                    }
                }
                case DOUBLE_ADD -> {
                    try (SharedDouble total = SharedDouble.open(ShmFile.of(directory, COUNTER))) {
                        for (int i = 0; i < iterations; i++) {
                            total.addAndGet(0.5);
                        }
                    }
                }
                case ARRAY_DISJOINT -> {
                    try (SharedLongArray array = SharedLongArray.open(ShmFile.of(directory, ARRAY), workers)) {
                        for (int i = 0; i < iterations; i++) {
                            array.incrementAndGet(me);
                        }
                    }
                }
                case ARRAY_OVERLAPPING -> {
                    try (SharedLongArray array = SharedLongArray.open(ShmFile.of(directory, ARRAY))) {
                        int length = array.length();
                        for (int i = 0; i < iterations; i++) {
                            array.getAndAdd((me + i) % length, i % 3 + 1);
                        }
                    }
                }
                case HOLD_LOCK_FOREVER -> {
                    SharedLong counter = SharedLong.open(ShmFile.of(directory, COUNTER));
                    counter.lock();
                    counter.set(-1);   // tells the parent the lock is held; a half-done update
                    LockSupport.park();
                }
            }
        }
    }

    /** Reports at the start line, then waits for the parent's go, so that all workers run at once. */
    private static void awaitStart(SharedIntArray gate) {
        gate.incrementAndGet(0);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (gate.get(1) == 0) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no go within " + START_TIMEOUT);
            }
            // Parked, not spinning: on two cores a spinning worker would delay its siblings' start.
            LockSupport.parkNanos(50_000);
        }
    }
}
