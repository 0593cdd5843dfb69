package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.ShmLock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Five JVMs each add 1 to one shared counter K times under a jshm lock; the total must be
 * exactly 5 × K. (The values issue extends this into the full three-way race demo.)
 */
public final class RaceDemo {
    private RaceDemo() {
    }

    public static void main(String[] args) throws Exception {
        int processes = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int increments = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Path directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-demo-");
        ShmFile counterFile = ShmFile.of(directory, "counter");
        ShmFile lockFile = ShmFile.of(directory, "counter.lock");
        try (SharedRegion counter = SharedRegion.create(counterFile, RegionSpec.of(RegionKind.TEST, Long.BYTES), body -> { });
             ShmLock lock = ShmLock.create(lockFile)) {
            long start = System.nanoTime();
            List<JvmProcess> workers = new ArrayList<>();
            for (int i = 0; i < processes; i++) {
                workers.add(JvmProcess.builder(Worker.class)
                        .args(directory.toString(), Integer.toString(increments)).start());
            }
            for (JvmProcess worker : workers) {
                if (!worker.join(Duration.ofMinutes(5)) || worker.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException(worker + " did not finish cleanly");
                }
            }
            long nanos = System.nanoTime() - start;
            long total = counter.body().get(ValueLayout.JAVA_LONG, 0);
            long expected = (long) processes * increments;
            System.out.printf("%d JVMs x %,d locked increments: count %,d, expected %,d, %s; %d ms%n",
                    processes, increments, total, expected, total == expected ? "exact" : "WRONG", nanos / 1_000_000);
        } finally {
            SharedRegion.unlink(counterFile);
            SharedRegion.unlink(lockFile);
            Files.deleteIfExists(directory);
        }
    }

    /** One child: opens the counter and the lock, and increments the plain long under the lock. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) {
            Path directory = Path.of(args[0]);
            int increments = Integer.parseInt(args[1]);
            try (SharedRegion counter = SharedRegion.open(ShmFile.of(directory, "counter"), RegionKind.TEST);
                 ShmLock lock = ShmLock.open(ShmFile.of(directory, "counter.lock"))) {
                MemorySegment cell = counter.body();
                for (int i = 0; i < increments; i++) {
                    lock.lock();
                    try {
                        cell.set(ValueLayout.JAVA_LONG, 0, cell.get(ValueLayout.JAVA_LONG, 0) + 1);
                    } finally {
                        lock.unlock();
                    }
                }
            }
        }
    }
}
