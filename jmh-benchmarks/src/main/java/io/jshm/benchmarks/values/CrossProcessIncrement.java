package io.jshm.benchmarks.values;

import io.jshm.benchmarks.PeerFlags;
import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.values.SharedIntArray;
import io.jshm.values.SharedLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@value #JVMS} child JVMs each add 1 to one {@link SharedLong} {@value #INCREMENTS_PER_JVM}
 * times, atomically ({@code incrementAndGet}) or as a read-then-write under the value's lock.
 * One operation is one round: the benchmark thread releases all children and waits until every
 * one is done. The children start once per trial and wait between rounds, so JVM start-up is not
 * measured; the score is the round's wall time divided by all its increments (ns per increment).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(CrossProcessIncrement.JVMS * CrossProcessIncrement.INCREMENTS_PER_JVM)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {PeerFlags.NATIVE_ACCESS, PeerFlags.UNSAFE})
public class CrossProcessIncrement {
    static final int JVMS = 5;
    static final int INCREMENTS_PER_JVM = 100_000;
    /** Ints: the round to run (-1: stop), and how many children finished a round, all rounds together. */
    private static final int ROUND = 0;
    private static final int DONE = 1;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @Param({"ATOMIC", "LOCKED"})
    public String way;

    private Path directory;
    private SharedLong counter;
    private SharedIntArray control;
    private final List<JvmProcess> children = new ArrayList<>();
    private int round;

    @Setup
    public void setUp() throws IOException {
        directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-bench-");
        counter = SharedLong.create(ShmFile.of(directory, "counter"), 0);
        control = SharedIntArray.create(ShmFile.of(directory, "control"), 2);
        for (int i = 0; i < JVMS; i++) {
            children.add(JvmProcess.builder(Child.class).daemon(true).jvmOptions("-XX:+UseSerialGC", "-Xmx64m")
                    .args(directory.toString(), way).captureOutput().start());
        }
    }

    @Benchmark
    public long round() {
        round++;
        control.set(ROUND, round);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (control.get(DONE) < JVMS * round) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("round " + round + " not done after " + TIMEOUT + ": " + describeChildren());
            }
            LockSupport.parkNanos(20_000);
        }
        long expected = (long) JVMS * INCREMENTS_PER_JVM * round;
        if (counter.get() != expected) {
            throw new IllegalStateException("counter is " + counter.get() + " after round " + round + ", expected " + expected);
        }
        return expected;
    }

    @TearDown
    public void tearDown() throws Exception {
        control.set(ROUND, -1);
        for (JvmProcess child : children) {
            if (!child.join(TIMEOUT) || child.exitCode().getAsInt() != 0) {
                throw new IllegalStateException(child + " failed: " + child.output());
            }
            child.close();
        }
        counter.close();
        control.close();
        Files.deleteIfExists(directory.resolve("counter"));
        Files.deleteIfExists(directory.resolve("control"));
        Files.deleteIfExists(directory);
    }

    private String describeChildren() {
        StringBuilder text = new StringBuilder();
        for (JvmProcess child : children) {
            text.append('\n').append(child).append(child.isAlive() ? "" : ": " + child.output());
        }
        return text.toString();
    }

    /** A child: waits for each round, runs its increments, reports done; ends when told to stop. */
    public static final class Child {
        private Child() {
        }

        public static void main(String[] args) {
            Path directory = Path.of(args[0]);
            boolean atomic = args[1].equals("ATOMIC");
            try (SharedLong counter = SharedLong.open(ShmFile.of(directory, "counter"));
                 SharedIntArray control = SharedIntArray.open(ShmFile.of(directory, "control"), 2)) {
                for (int done = 0; ; done++) {
                    int next;
                    while ((next = control.get(ROUND)) == done) {
                        LockSupport.parkNanos(20_000);
                    }
                    if (next < 0) {
                        return;
                    }
                    if (atomic) {
                        for (int i = 0; i < INCREMENTS_PER_JVM; i++) {
                            counter.incrementAndGet();
                        }
                    } else {
                        for (int i = 0; i < INCREMENTS_PER_JVM; i++) {
                            counter.withLock(c -> c.setPlain(c.getPlain() + 1));
                        }
                    }
                    control.incrementAndGet(DONE);
                }
            }
        }
    }
}
