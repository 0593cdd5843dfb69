package io.jshm.examples;

import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.process.JvmProcess;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonExampleTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void theDaemonEndsWithItsParentAndTheWorkerIsJoined() throws Exception {
        try (Children children = new Children()) {
            JvmProcess main = children.start(DaemonExample.class, dir.toString());
            Children.assertExitsCleanly(main, Duration.ofSeconds(90));
            assertTrue(main.output().contains("worker joined with exit code 0"), main.output());
            assertTrue(main.output().contains("still alive: true"), main.output());
            ProcessIdentity daemon = ProcessIdentity.of(Long.parseLong(Files.readString(dir.resolve("daemon.pid")).strip()));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (daemon != null && daemon.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(daemon != null && daemon.isAlive(), "the daemon outlived its parent");
        }
    }
}
