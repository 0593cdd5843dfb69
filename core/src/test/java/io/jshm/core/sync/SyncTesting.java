package io.jshm.core.sync;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.Children;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Helpers shared by the tests of this package and their child JVMs. */
final class SyncTesting {
    private SyncTesting() {
    }

    /** A scratch region of {@code longs} plain longs for tests to share numbers through. */
    static SharedRegion createScratch(Path dir, String name, int longs) {
        return SharedRegion.create(ShmFile.of(dir, name), RegionSpec.of(RegionKind.TEST, 8L * longs), body -> { });
    }

    static SharedRegion openScratch(Path dir, String name) {
        return SharedRegion.open(ShmFile.of(dir, name), RegionKind.TEST);
    }

    /** Announces a step to the parent by creating an empty file. */
    static void announce(Path dir, String step) throws IOException {
        Files.createFile(dir.resolve(step));
    }

    /** Waits for {@code child} to announce {@code step}, failing if it ends first or after {@code timeout}. */
    static void awaitAnnounced(JvmProcess child, Path dir, String step, Duration timeout) throws InterruptedException {
        Children.awaitFile(child, dir.resolve(step), timeout);
    }
}
