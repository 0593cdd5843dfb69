package io.jshm.core.sync;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/** The child-JVM side of {@link ShmLockTest}. */
final class LockChildren {
    private LockChildren() {
    }

    /** Adds 1 to the plain long in region "counter" N times, each under lock "lock". */
    static final class LockedIncrements {
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            int increments = Integer.parseInt(args[1]);
            try (SharedRegion counter = SharedRegion.open(ShmFile.of(dir, "counter"), RegionKind.TEST);
                 ShmLock lock = ShmLock.open(ShmFile.of(dir, "lock"))) {
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

    /** Takes the lock, announces it with a file "NAME.held", and sleeps until killed. */
    static final class HoldUntilKilled {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            ShmLock lock = ShmLock.open(ShmFile.of(dir, args[1]));
            lock.lock();
            Files.createFile(dir.resolve(args[1] + ".held"));
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
