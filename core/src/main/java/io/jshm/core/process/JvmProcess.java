package io.jshm.core.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A child JVM running a class's {@code main}: Python's {@code multiprocessing.Process}, for
 * Java. The child runs the same {@code java} as this JVM, with the same class path (and module
 * path), the native-access flag jshm needs, and the same {@code jshm.dir}.
 *
 * <pre>{@code
 * try (JvmProcess worker = JvmProcess.builder(Worker.class).args("counter", "1000").start()) {
 *     worker.join(Duration.ofSeconds(30));
 *     System.out.println(worker.exitCode());
 * }
 * }</pre>
 *
 * <p>Shared objects are handed to a child by name: pass the name (and the directory, if not the
 * default) as arguments, and the child opens them.
 *
 * <p><b>Daemon children</b> ({@link Builder#daemon(boolean)}) end when their parent ends, however
 * it ends, even by {@code kill -9}; like Python's, a daemon may not start children of its own.
 *
 * <p><b>Exit codes</b> follow Python: the status the child exited with, or {@code -N} when it was
 * ended by signal N. The JDK reports a death by signal N as status 128 + N, so a child that
 * itself calls {@code System.exit(128 + N)} is indistinguishable and reported as {@code -N}
 * too.
 *
 * <p>Thread-safe: any thread may query, join or end the child.
 */
public final class JvmProcess implements AutoCloseable {
    static final String NAME_PROPERTY = "jshm.process.name";
    static final String DAEMON_PROPERTY = "jshm.process.daemon";
    private static final int SIGNAL_STATUS_BASE = 128;
    private static final int HIGHEST_SIGNAL = 64;
    private static final AtomicInteger CHILD_NUMBERS = new AtomicInteger();

    private final String name;
    private final Process process;
    private final ByteArrayOutputStream captured;
    private final Thread captureThread;

    private JvmProcess(String name, Process process, ByteArrayOutputStream captured, Thread captureThread) {
        this.name = name;
        this.process = process;
        this.captured = captured;
        this.captureThread = captureThread;
    }

    /** A builder for a child running {@code mainClass.main}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(mainClass.getName());
    }

    /** A builder for a child running the {@code main} of the class named {@code mainClassName}. */
    public static Builder builder(String mainClassName) {
        return new Builder(mainClassName);
    }

    /** Starts a non-daemon child running {@code mainClass.main(args)}, output inherited. */
    public static JvmProcess start(Class<?> mainClass, String... args) {
        return builder(mainClass).args(args).start();
    }

    /** Whether this JVM is itself a daemon child. */
    public static boolean isCurrentProcessDaemon() {
        return Boolean.getBoolean(DAEMON_PROPERTY);
    }

    /** This JVM's name as its parent gave it, or "main" in a JVM not started by jshm. */
    public static String currentProcessName() {
        return System.getProperty(NAME_PROPERTY, "main");
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the child to end. */
    public void join() throws InterruptedException {
        process.waitFor();
    }

    /** Waits at most {@code timeout} for the child to end; returns whether it has. */
    public boolean join(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The exit code (negative signal number if a signal ended it), or empty while it runs. */
    public OptionalInt exitCode() {
        if (process.isAlive()) {
            return OptionalInt.empty();
        }
        int status = process.exitValue();
        boolean bySignal = status > SIGNAL_STATUS_BASE && status <= SIGNAL_STATUS_BASE + HIGHEST_SIGNAL;
        return OptionalInt.of(bySignal ? SIGNAL_STATUS_BASE - status : status);
    }

    /** Asks the child to end (SIGTERM): its shutdown hooks run, and what they print is still captured. */
    public void terminate() {
        // Process.destroy() would also close our ends of the child's pipes, losing its last words.
        process.toHandle().destroy();
    }

    /** Ends the child at once (SIGKILL). */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    /**
     * What the child wrote to standard output and error, if the builder captured it. Complete
     * once the child has ended and {@link #join} returned.
     */
    public String output() {
        if (captured == null) {
            throw new IllegalStateException("output of " + name + " was not captured; use Builder.captureOutput()");
        }
        if (!process.isAlive()) {
            try {
                captureThread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (captured) {
            return captured.toString(StandardCharsets.UTF_8);
        }
    }

    /** Kills the child if it still runs and waits for it to be gone. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "JvmProcess[" + name + ", pid " + pid() + ", " + (isAlive() ? "alive" : "exit " + exitCode().getAsInt()) + "]";
    }

    /** Where a child's standard output and error go. */
    private sealed interface Output {
        record Inherit() implements Output { }
        record Capture() implements Output { }
        record ToFile(Path file) implements Output { }
    }

    /** Configures and starts a child JVM. Not thread-safe; reusable. */
    public static final class Builder {
        private final String mainClassName;
        private final List<String> args = new ArrayList<>();
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new HashMap<>();
        private String name;
        private boolean daemon;
        private Path directory;
        private Output output = new Output.Inherit();

        private Builder(String mainClassName) {
            this.mainClassName = Objects.requireNonNull(mainClassName, "mainClassName");
        }

        /** The child's name (default: the main class's simple name and a number). */
        public Builder name(String processName) {
            this.name = Objects.requireNonNull(processName, "processName");
            return this;
        }

        /** Arguments for {@code main}, appended. */
        public Builder args(String... arguments) {
            args.addAll(List.of(arguments));
            return this;
        }

        /** JVM options such as {@code -Xmx64m} or {@code -Dkey=value}, appended. */
        public Builder jvmOptions(String... options) {
            jvmOptions.addAll(List.of(options));
            return this;
        }

        /** An environment variable for the child, on top of this JVM's environment. */
        public Builder environment(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        /** The child's working directory (default: this JVM's). */
        public Builder directory(Path workingDirectory) {
            this.directory = workingDirectory;
            return this;
        }

        /** Whether the child ends when this JVM ends, however it ends (Python's {@code daemon}). */
        public Builder daemon(boolean isDaemon) {
            this.daemon = isDaemon;
            return this;
        }

        /** The child writes to this JVM's standard output and error (the default). */
        public Builder inheritOutput() {
            this.output = new Output.Inherit();
            return this;
        }

        /** The child's standard output and error are kept for {@link JvmProcess#output()}. */
        public Builder captureOutput() {
            this.output = new Output.Capture();
            return this;
        }

        /** The child's standard output and error go to {@code file}, replacing it. */
        public Builder outputTo(Path file) {
            this.output = new Output.ToFile(Objects.requireNonNull(file, "file"));
            return this;
        }

        /** The command line this builder would run, for logs and tests. */
        public List<String> command() {
            String processName = name != null ? name : defaultName();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("--enable-native-access=ALL-UNNAMED");
            String modulePath = System.getProperty("jdk.module.path");
            if (modulePath != null && !modulePath.isEmpty()) {
                command.add("--module-path");
                command.add(modulePath);
                command.add("--add-modules");
                command.add("ALL-MODULE-PATH");
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            String shmDirectory = System.getProperty("jshm.dir");
            if (shmDirectory != null) {
                command.add("-Djshm.dir=" + shmDirectory);
            }
            command.add("-D" + NAME_PROPERTY + "=" + processName);
            if (daemon) {
                command.add("-D" + DAEMON_PROPERTY + "=true");
            }
            command.addAll(jvmOptions);
            command.add(ChildMain.class.getName());
            command.add(mainClassName);
            command.addAll(args);
            return command;
        }

        /**
         * Starts the child.
         *
         * @throws IllegalStateException if this JVM is a daemon child (daemons have no children)
         * @throws UncheckedIOException  if the JVM cannot be started
         */
        public JvmProcess start() {
            if (isCurrentProcessDaemon()) {
                throw new IllegalStateException("daemonic processes are not allowed to have children: "
                        + currentProcessName() + " is a daemon and cannot start " + mainClassName);
            }
            String processName = name != null ? name : defaultName();
            ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
            builder.environment().putAll(environment);
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            switch (output) {
                case Output.Inherit inherit -> builder.redirectOutput(ProcessBuilder.Redirect.INHERIT);
                case Output.ToFile toFile -> builder.redirectOutput(toFile.file().toFile());
                case Output.Capture capture -> builder.redirectOutput(ProcessBuilder.Redirect.PIPE);
            }
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start child JVM " + processName + " running " + mainClassName, e);
            }
            // A daemon keeps its stdin pipe open until this JVM dies; see ChildMain.
            if (!daemon) {
                closeQuietly(process);
            }
            if (output instanceof Output.Capture) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                Thread drain = Thread.ofVirtual().name("jshm-capture-" + processName)
                        .start(() -> drain(process.getInputStream(), buffer));
                return new JvmProcess(processName, process, buffer, drain);
            }
            return new JvmProcess(processName, process, null, null);
        }

        private String defaultName() {
            String simple = mainClassName.substring(mainClassName.lastIndexOf('.') + 1);
            return simple.substring(simple.lastIndexOf('$') + 1) + "-" + CHILD_NUMBERS.incrementAndGet();
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // The child reads end-of-file either way.
        }
    }

    private static void drain(InputStream from, ByteArrayOutputStream to) {
        byte[] chunk = new byte[8192];
        try (from) {
            for (int n; (n = from.read(chunk)) >= 0; ) {
                synchronized (to) {
                    to.write(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            // The child is gone; what was read is kept.
        }
    }
}
