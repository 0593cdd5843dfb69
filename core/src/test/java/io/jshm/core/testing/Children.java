package io.jshm.core.testing;

import io.jshm.core.process.JvmProcess;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts real child JVMs for cross-process tests, with their output captured so that a failing
 * child's own words end up in the test report, and kills whatever is left when closed.
 */
public final class Children implements AutoCloseable {
    /** Small, quick-starting child JVMs: tests run five at a time on two cores. */
    public static final String[] CHILD_JVM_OPTIONS = {"-XX:+UseSerialGC", "-Xmx96m", "-XX:TieredStopAtLevel=1"};

    /** Thread-safe: a test may start children from a helper thread while it receives on its own. */
    private final List<JvmProcess> started = new CopyOnWriteArrayList<>();

    /** Starts {@code mainClass.main(args)} in a new JVM. */
    public JvmProcess start(Class<?> mainClass, String... args) {
        return start(JvmProcess.builder(mainClass).args(args));
    }

    /** Starts a configured child, adding the small-JVM options and output capture. */
    public JvmProcess start(JvmProcess.Builder builder) {
        JvmProcess child = builder.jvmOptions(CHILD_JVM_OPTIONS).captureOutput().start();
        started.add(child);
        return child;
    }

    /** Waits for {@code child} to end within {@code timeout} and asserts it exited with 0. */
    public static void assertExitsCleanly(JvmProcess child, Duration timeout) throws InterruptedException {
        assertTrue(child.join(timeout), () -> child.name() + " still runs after " + timeout + "; output:\n" + child.output());
        assertEquals(0, child.exitCode().getAsInt(), () -> child.name() + " failed; output:\n" + child.output());
    }

    /** Kills {@code child} (kill -9) and waits until it is reaped; fails if it still runs 30 s later. */
    public static void kill(JvmProcess child) throws InterruptedException {
        child.kill();
        assertTrue(child.join(Duration.ofSeconds(30)), () -> child.name() + " still runs 30 s after kill -9");
    }

    /** Waits for every child started so far and asserts each exited with 0. */
    public void assertAllExitCleanly(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (JvmProcess child : started) {
            assertExitsCleanly(child, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
    }

    /** A condition a test waits for, which may throw {@code E} (reading a file, say). */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        boolean holds() throws E;
    }

    /**
     * Polls {@code done} every millisecond until it holds; fails, naming {@code what} and the
     * output of the child that ended, if one of {@code watched} ends first or {@code timeout}
     * passes.
     */
    public static <E extends Exception> void await(String what, Duration timeout, Condition<E> done, JvmProcess... watched)
            throws E, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.holds()) {
            for (JvmProcess child : watched) {
                if (!child.isAlive() && !done.holds()) {
                    throw new AssertionError(child.name() + " ended before " + what + "; output:\n" + child.output());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder outputs = new StringBuilder();
                for (JvmProcess child : watched) {
                    outputs.append("\n").append(child.name()).append(" output:\n").append(child.output());
                }
                throw new AssertionError("no " + what + " within " + timeout + outputs);
            }
            Thread.sleep(1);
        }
    }

    /**
     * Waits for {@code child} to create {@code file}, its way of saying it got somewhere; fails
     * with the child's output if it ends first or takes longer than {@code timeout}.
     */
    public static void awaitFile(JvmProcess child, Path file, Duration timeout) throws InterruptedException {
        await(child.name() + " creating " + file, timeout, () -> Files.exists(file), child);
    }

    /** {@link #awaitFile(JvmProcess, Path, Duration)} with a minute to do it in. */
    public static void awaitFile(JvmProcess child, Path file) throws InterruptedException {
        awaitFile(child, file, Duration.ofMinutes(1));
    }

    @Override
    public void close() {
        started.forEach(JvmProcess::close);
    }
}
