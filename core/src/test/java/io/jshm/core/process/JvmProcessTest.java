package io.jshm.core.process;

import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JvmProcessTest {
    private static final Duration LONG_ENOUGH = Duration.ofSeconds(60);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void exitCodesAreReportedAsPythonDoes() throws Exception {
        try (Children children = new Children()) {
            JvmProcess clean = children.start(ProcessChildren.ExitWith.class, "0");
            JvmProcess three = children.start(ProcessChildren.ExitWith.class, "3");
            JvmProcess throwing = children.start(ProcessChildren.Throw.class);
            assertTrue(clean.join(LONG_ENOUGH) && three.join(LONG_ENOUGH) && throwing.join(LONG_ENOUGH));
            assertEquals(OptionalInt.of(0), clean.exitCode());
            assertEquals(OptionalInt.of(3), three.exitCode());
            assertEquals(OptionalInt.of(1), throwing.exitCode(), "an uncaught exception exits with 1");
            assertTrue(throwing.output().contains("uncaught java.lang.IllegalStateException: boom"), throwing.output());
        }
    }

    @Test
    void terminateAndKillEndTheChildWithMinusTheSignal() throws Exception {
        try (Children children = new Children()) {
            JvmProcess terminated = children.start(ProcessChildren.SleepForever.class, dir.toString(), "t");
            JvmProcess killed = children.start(ProcessChildren.SleepForever.class, dir.toString(), "k");
            Children.awaitFile(terminated, dir.resolve("t.started"));
            Children.awaitFile(killed, dir.resolve("k.started"));
            assertTrue(terminated.isAlive());
            terminated.terminate();
            killed.kill();
            assertTrue(terminated.join(LONG_ENOUGH) && killed.join(LONG_ENOUGH));
            assertEquals(OptionalInt.of(-15), terminated.exitCode());
            assertEquals(OptionalInt.of(-9), killed.exitCode());
            assertTrue(terminated.output().contains("shutdown hook ran"), () -> "SIGTERM lets shutdown hooks run: [" + terminated.output() + "]");
            assertFalse(killed.output().contains("shutdown hook ran"), "SIGKILL does not");
        }
    }

    @Test
    void joinWithATimeoutReturnsFalseWhileTheChildRuns() throws Exception {
        try (Children children = new Children()) {
            JvmProcess sleeper = children.start(ProcessChildren.SleepForever.class, dir.toString(), "s");
            long start = System.nanoTime();
            assertFalse(sleeper.join(Duration.ofMillis(100)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 100 && millis < 1000, "join(100 ms) took " + millis + " ms");
            assertTrue(sleeper.isAlive());
            assertEquals(OptionalInt.empty(), sleeper.exitCode());
            sleeper.close();
            assertFalse(sleeper.isAlive(), "close() kills and reaps");
        }
    }

    @Test
    void daemonChildrenDieWhenTheirParentIsKilledAndOthersDoNot() throws Exception {
        Path daemonPid = dir.resolve("daemon.pid");
        Path plainPid = dir.resolve("plain.pid");
        try (Children children = new Children()) {
            JvmProcess parent = children.start(ProcessChildren.ParentOfTwo.class, daemonPid.toString(), plainPid.toString());
            Children.awaitFile(parent, daemonPid);
            Children.awaitFile(parent, plainPid);
            ProcessIdentity daemon = ProcessIdentity.of(Long.parseLong(Files.readString(daemonPid).strip()));
            ProcessIdentity plain = ProcessIdentity.of(Long.parseLong(Files.readString(plainPid).strip()));
            try {
                assertTrue(daemon != null && daemon.isAlive() && plain != null && plain.isAlive());
                parent.kill();
                assertTrue(parent.join(LONG_ENOUGH));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (daemon.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertFalse(daemon.isAlive(), "the daemon child outlived its killed parent");
                assertTrue(plain.isAlive(), "a non-daemon child is not killed with its parent");
            } finally {
                ProcessHandle.of(plain.pid()).ifPresent(ProcessHandle::destroyForcibly);
                ProcessHandle.of(daemon.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void aDaemonMayNotStartChildren() throws Exception {
        try (Children children = new Children()) {
            JvmProcess daemon = children.start(JvmProcess.builder(ProcessChildren.TryToStartAChild.class).daemon(true));
            Children.assertExitsCleanly(daemon, LONG_ENOUGH);
            assertTrue(daemon.output().contains("daemonic processes are not allowed to have children"), daemon.output());
        }
    }

    @Test
    void nameEnvironmentDirectoryAndOutputFileAreHonoured() throws Exception {
        Path out = dir.resolve("out.txt");
        JvmProcess child = JvmProcess.builder(ProcessChildren.Describe.class)
                .name("describer").environment("JSHM_TEST_VAR", "hello").directory(dir)
                .jvmOptions(Children.CHILD_JVM_OPTIONS).outputTo(out).start();
        try (child) {
            assertEquals("describer", child.name());
            assertTrue(child.join(LONG_ENOUGH));
            assertEquals(OptionalInt.of(0), child.exitCode());
            String written = Files.readString(out);
            assertTrue(written.contains("name=describer"), written);
            assertTrue(written.contains("env=hello"), written);
            assertTrue(written.contains("dir=" + dir.toRealPath()), written);
            assertTrue(written.contains("daemon=false"), written);
            assertThrows(IllegalStateException.class, child::output, "output was sent to a file, not captured");
        }
    }
}
