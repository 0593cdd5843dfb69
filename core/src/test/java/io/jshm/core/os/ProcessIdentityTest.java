package io.jshm.core.os;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ProcessIdentityTest {
    /** The user the hidden-process check runs as: not root, who sees every process whatever hidepid says. */
    private static final String NOBODY = "65534";
    private static final int MOUNT_REFUSED = 77;

    @TempDir
    Path dir;

    @Test
    void aProcessThatHasEndedIsNotAliveAndOneThatRunsIs() throws Exception {
        try (Sleeper sleeper = new Sleeper()) {
            long ended = pidOfAnEndedProcess();
            ProcessIdentity running = ProcessIdentity.of(sleeper.pid());
            assertNotNull(running);
            assertTrue(running.isAlive());
            assertTrue(ProcessIdentity.isAlive(sleeper.pid()));
            assertFalse(ProcessIdentity.isAlive(ended));
            assertFalse(new ProcessIdentity(ended, running.startTime()).isAlive());
            assertFalse(new ProcessIdentity(sleeper.pid(), running.startTime() + 1).isAlive(),
                    "a pid reused by another process is not the recorded process");
        }
    }

    @Test
    void pidsThatNoProcessCanHaveAreNotAlive() {
        assertFalse(ProcessIdentity.isAlive(0));
        assertFalse(ProcessIdentity.isAlive(-1));
        assertFalse(new ProcessIdentity(0, 1).isAlive());
    }

    /**
     * Under {@code hidepid=2} another user's processes have no {@code /proc} entry; taking one
     * for dead would hand its lock or its claimed slot to someone else while it runs. Runs the
     * check as user nobody in a mount namespace of its own, with {@code /proc} mounted there
     * with {@code hidepid=2}, about a process of root's (this JVM's user).
     */
    @Test
    void aProcessHiddenFromProcByHidepidIsStillAlive() throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false)
                        && Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "mounting a /proc with hidepid=2 needs root, unshare and setpriv");
        Process probe = new ProcessBuilder("/usr/bin/unshare", "--mount", "true").redirectErrorStream(true).start();
        boolean unshared = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        assumeTrue(unshared, "unshare --mount is refused here: " + output(probe));
        Path classes = readableCopyOfTheClassesItNeeds();
        try (Sleeper sleeper = new Sleeper()) {
            long ended = pidOfAnEndedProcess();
            ProcessIdentity hidden = ProcessIdentity.of(sleeper.pid());
            assertNotNull(hidden);
            String java = ProcessHandle.current().info().command().orElseThrow();
            String check = "mount -t proc -o hidepid=2 proc /proc || exit " + MOUNT_REFUSED + "; exec setpriv --reuid=" + NOBODY + " --regid=" + NOBODY
                    + " --clear-groups " + java + " -XX:-UsePerfData -Xshare:off -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
                    + " --enable-native-access=ALL-UNNAMED -cp " + classes + " '" + HiddenCheck.class.getName() + "'"
                    + " " + hidden.pid() + " " + hidden.startTime() + " " + ended;
            Process child = new ProcessBuilder("/usr/bin/unshare", "--mount", "--propagation", "private", "sh", "-c", check)
                    .redirectErrorStream(true).start();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the check as nobody still runs after 60 s");
            String output = output(child);
            assumeTrue(child.exitValue() != MOUNT_REFUSED, () -> "this kernel or sandbox refused the hidepid=2 mount: " + output);
            assertEquals(0, child.exitValue(), output);
            assertEquals("stat visible: false, alive: true, pid alive: true, ended pid alive: false", output,
                    "the check ran as nobody under hidepid=2, where root's process has no /proc entry");
        }
    }

    /** A process of this user's that runs until closed. */
    private record Sleeper(Process process) implements AutoCloseable {
        Sleeper() throws IOException {
            this(new ProcessBuilder("sleep", "120").start());
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }
    }

    /** The pid of a process that has ended (and been reaped). */
    private static long pidOfAnEndedProcess() throws IOException, InterruptedException {
        Process ended = new ProcessBuilder("true").start();
        assertEquals(0, ended.waitFor());
        return ended.pid();
    }

    private static String output(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /**
     * This module's classes and the check, copied where user nobody can read them (the build
     * directory may be under a home only root can enter).
     */
    private Path readableCopyOfTheClassesItNeeds() throws IOException, URISyntaxException {
        Path copy = dir.resolve("classes");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        copyTree(Path.of(ProcessIdentity.class.getProtectionDomain().getCodeSource().getLocation().toURI()), copy);
        Path testClasses = Path.of(HiddenCheck.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String checkClass = HiddenCheck.class.getName().replace('.', '/') + ".class";
        Files.copy(testClasses.resolve(checkClass), copy.resolve(checkClass));
        return copy;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(path).toString());
                Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(
                        Files.isDirectory(path) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        }
    }

    /** Run as nobody under hidepid=2: {@code main(hidden pid, its start time, a pid no process has)}. */
    public static final class HiddenCheck {
        public static void main(String[] args) {
            long pid = Long.parseLong(args[0]);
            ProcessIdentity hidden = new ProcessIdentity(pid, Long.parseLong(args[1]));
            long ended = Long.parseLong(args[2]);
            System.out.println("stat visible: " + Files.exists(Path.of("/proc", args[0], "stat"))
                    + ", alive: " + hidden.isAlive()
                    + ", pid alive: " + ProcessIdentity.isAlive(pid)
                    + ", ended pid alive: " + ProcessIdentity.isAlive(ended));
        }
    }
}
