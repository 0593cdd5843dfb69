package io.jshm.examples;

import io.jshm.core.process.JvmProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The seed's daemon lesson: a daemon child ends when its parent ends, a non-daemon child is
 * joined. The parent starts one of each; each child writes its pid to a file and works (the
 * daemon "forever", the other for a moment); the parent joins the non-daemon child and ends,
 * taking the daemon with it.
 *
 * <p>{@code java ... io.jshm.examples.DaemonExample [directory for the pid files]} (default: a
 * new temporary directory)
 */
public final class DaemonExample {
    private DaemonExample() {
    }

    public static void main(String[] args) throws Exception {
        Path directory = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("jshm-daemon-example-");
        JvmProcess daemon = JvmProcess.builder(Work.class).name("daemon").daemon(true)
                .args(directory.resolve("daemon.pid").toString(), "600000").start();
        JvmProcess worker = JvmProcess.builder(Work.class).name("worker")
                .args(directory.resolve("worker.pid").toString(), "500").start();
        worker.join(Duration.ofMinutes(1));
        System.out.println("main: worker joined with exit code " + worker.exitCode().orElseThrow()
                + "; daemon " + daemon.pid() + " still alive: " + daemon.isAlive() + "; main ends, and the daemon with it");
    }

    /** Writes this process's pid to a file, then works (sleeps) for the given milliseconds. */
    public static final class Work {
        private Work() {
        }

        public static void main(String[] args) throws Exception {
            Path pidFile = Path.of(args[0]);
            Path partial = pidFile.resolveSibling(pidFile.getFileName() + ".partial");
            Files.writeString(partial, Long.toString(ProcessHandle.current().pid()));
            Files.move(partial, pidFile);
            System.out.println(JvmProcess.currentProcessName() + " (parent " + ProcessHandle.current().parent()
                    .map(ProcessHandle::pid).orElse(-1L) + ") is working");
            Thread.sleep(Long.parseLong(args[1]));
        }
    }
}
