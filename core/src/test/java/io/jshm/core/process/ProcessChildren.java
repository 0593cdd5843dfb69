package io.jshm.core.process;

import java.nio.file.Files;
import java.nio.file.Path;

/** The child-JVM side of {@link JvmProcessTest}. */
final class ProcessChildren {
    private ProcessChildren() {
    }

    static final class ExitWith {
        public static void main(String[] args) {
            System.exit(Integer.parseInt(args[0]));
        }
    }

    static final class Throw {
        public static void main(String[] args) {
            throw new IllegalStateException("boom");
        }
    }

    /** Announces itself with DIR/NAME.started, then sleeps; a shutdown hook says when it runs. */
    static final class SleepForever {
        public static void main(String[] args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
            Files.createFile(Path.of(args[0], args[1] + ".started"));
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** Starts a daemon and a non-daemon child that write their pids to the given files, then waits. */
    static final class ParentOfTwo {
        public static void main(String[] args) throws Exception {
            JvmProcess.builder(WritePidAndSleep.class).daemon(true).args(args[0]).jvmOptions("-XX:+UseSerialGC", "-Xmx32m").start();
            JvmProcess.builder(WritePidAndSleep.class).args(args[1]).jvmOptions("-XX:+UseSerialGC", "-Xmx32m").start();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    static final class WritePidAndSleep {
        public static void main(String[] args) throws Exception {
            Path file = Path.of(args[0]);
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, Long.toString(ProcessHandle.current().pid()));
            Files.move(partial, file);
            Thread.sleep(120_000);
        }
    }

    static final class TryToStartAChild {
        public static void main(String[] args) {
            try {
                JvmProcess.start(ExitWith.class, "0");
                System.out.println("started a child, but a daemon must not");
                System.exit(2);
            } catch (IllegalStateException expected) {
                System.out.println(expected.getMessage());
            }
        }
    }

    static final class Describe {
        public static void main(String[] args) throws Exception {
            System.out.println("name=" + JvmProcess.currentProcessName());
            System.out.println("env=" + System.getenv("JSHM_TEST_VAR"));
            System.out.println("dir=" + Path.of("").toRealPath());
            System.out.println("daemon=" + JvmProcess.isCurrentProcessDaemon());
        }
    }
}
