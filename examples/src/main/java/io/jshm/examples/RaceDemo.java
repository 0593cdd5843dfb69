package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.values.SharedIntArray;
import io.jshm.values.SharedLong;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The shared-counter race, three ways: N child JVMs each add 1 to one shared counter K times,
 * first with a plain read-then-write (which loses updates, as Python's {@code value.value += 1}
 * does), then under the counter's lock, then with one atomic instruction. For each it prints the
 * final count against the expected one, the updates lost, the wall time and the time per
 * increment.
 *
 * <p>{@code ./jshm demo [processes] [increments]}; defaults 5 and {@value #DEFAULT_INCREMENTS}.
 * The same JVMs run all three ways, released together from a start line each time, so JVM
 * start-up is not in the times and the processes really race.
 */
public final class RaceDemo {
    static final int DEFAULT_PROCESSES = 5;
    static final int DEFAULT_INCREMENTS = 200_000;

    private static final String COUNTER = "counter";
    /** Three ints: workers at the start line, the way to run now (1-based, 0 before the first), workers done. */
    private static final String CONTROL = "control";
    private static final int READY = 0;
    private static final int GO = 1;
    private static final int DONE = 2;
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    /** The three ways to add 1 to a shared counter. */
    public enum Way {
        PLAIN("counter.set(counter.get() + 1)") {
            @Override
            void run(SharedLong counter, int increments) {
                for (int i = 0; i < increments; i++) {
                    counter.set(counter.get() + 1);
                }
            }
        },
        LOCKED("counter.withLock(c -> c.set(c.get() + 1))") {
            @Override
            void run(SharedLong counter, int increments) {
                for (int i = 0; i < increments; i++) {
                    counter.withLock(c -> c.set(c.get() + 1));
                }
            }
        },
        ATOMIC("counter.incrementAndGet()") {
            @Override
            void run(SharedLong counter, int increments) {
                for (int i = 0; i < increments; i++) {
                    counter.incrementAndGet();
                }
            }
        };

        private final String code;

        Way(String code) {
            this.code = code;
        }

        /** The Java statement each increment runs. */
        public String code() {
            return code;
        }

        /** Adds 1 to {@code counter} {@code increments} times; a loop per way, so each stays monomorphic. */
        abstract void run(SharedLong counter, int increments);
    }

    /** How one way ended. */
    public record Outcome(Way way, long count, long expected, long wallNanos) {
        public long lost() {
            return expected - count;
        }

        public double nanosPerIncrement() {
            return (double) wallNanos / expected;
        }
    }

    private RaceDemo() {
    }

    public static void main(String[] args) throws Exception {
        int processes = args.length > 0 ? positive(args[0], "processes") : DEFAULT_PROCESSES;
        int increments = args.length > 1 ? positive(args[1], "increments") : DEFAULT_INCREMENTS;
        run(processes, increments, System.out);
    }

    /** Runs the race three ways, printing to {@code out}; returns the outcomes in order. */
    public static List<Outcome> run(int processes, int increments, PrintStream out) throws IOException, InterruptedException {
        long expected = (long) processes * increments;
        out.printf(Locale.ROOT, "%d JVMs each add 1 to one shared counter %,d times, three ways. Expected each time: %,d.%n%n",
                processes, increments, expected);
        out.printf(Locale.ROOT, "  %-7s %-42s %11s %11s %17s %9s %9s%n",
                "way", "each increment runs", "final count", "expected", "updates lost", "wall", "ns/incr");
        Path directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-demo-");
        ShmFile counterFile = ShmFile.of(directory, COUNTER);
        ShmFile controlFile = ShmFile.of(directory, CONTROL);
        List<JvmProcess> workers = new ArrayList<>();
        try (SharedLong counter = SharedLong.create(counterFile, 0);
             SharedIntArray control = SharedIntArray.create(controlFile, 3)) {
            for (int i = 0; i < processes; i++) {
                workers.add(JvmProcess.builder(Worker.class).name("racer-" + (i + 1))
                        .jvmOptions("-XX:+UseSerialGC", "-Xmx64m")
                        .args(directory.toString(), Integer.toString(increments)).captureOutput().start());
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Way way : Way.values()) {
                int round = way.ordinal() + 1;
                counter.set(0);
                awaitWorkers(() -> control.get(READY) >= processes * round, "at the start line", workers);
                long start = System.nanoTime();
                control.set(GO, round);
                awaitWorkers(() -> control.get(DONE) >= processes * round, "done with " + way, workers);
                Outcome outcome = new Outcome(way, counter.get(), expected, System.nanoTime() - start);
                outcomes.add(outcome);
                print(outcome, out);
            }
            for (JvmProcess worker : workers) {
                if (!worker.join(TIMEOUT) || worker.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException(worker + " failed:\n" + worker.output());
                }
            }
            explain(outcomes, out);
            return outcomes;
        } finally {
            workers.forEach(JvmProcess::close);
            counterFile.path().toFile().delete();
            controlFile.path().toFile().delete();
            Files.deleteIfExists(directory);
        }
    }

    private static void print(Outcome o, PrintStream out) {
        String lost = o.lost() == 0 ? "0" : String.format(Locale.ROOT, "%,d (%.0f%%)", o.lost(), 100.0 * o.lost() / o.expected());
        out.printf(Locale.ROOT, "  %-7s %-42s %,11d %,11d %17s %,6d ms %9.1f%n", o.way().name().toLowerCase(Locale.ROOT),
                o.way().code(), o.count(), o.expected(), lost, o.wallNanos() / 1_000_000, o.nanosPerIncrement());
    }

    private static void explain(List<Outcome> outcomes, PrintStream out) {
        Outcome plain = outcomes.get(Way.PLAIN.ordinal());
        Outcome locked = outcomes.get(Way.LOCKED.ordinal());
        Outcome atomic = outcomes.get(Way.ATOMIC.ordinal());
        out.println();
        if (plain.lost() > 0) {
            out.printf(Locale.ROOT, "plain lost %,d updates: two JVMs read the same count, both write count + 1, and one increment vanishes.%n",
                    plain.lost());
        } else {
            out.println("plain happened to lose nothing this time (try more increments): it is still wrong, only lucky.");
        }
        out.printf(Locale.ROOT, "locked and atomic are exact; atomic is one LOCK XADD instruction, %.0fx faster than taking the lock.%n",
                locked.nanosPerIncrement() / Math.max(atomic.nanosPerIncrement(), 0.001));
        out.printf(Locale.ROOT, "(ns/incr: wall time of the round divided by all %,d increments.)%n", plain.expected());
    }

    private static void awaitWorkers(BooleanSupplier condition, String what, List<JvmProcess> workers) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            for (JvmProcess worker : workers) {
                // A worker that finished its last round may exit at once; only a failed one is an error.
                if (!worker.isAlive() && worker.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException(worker.name() + " failed before being " + what + ":\n" + worker.output());
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("workers not " + what + " after " + TIMEOUT);
            }
            LockSupport.parkNanos(50_000);
        }
    }

    private static int positive(String argument, String name) {
        int value = Integer.parseInt(argument);
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /** One racer: for each way, waits at the start line, then increments the counter K times. */
    public static final class Worker {
        private Worker() {
        }

        public static void main(String[] args) {
            Path directory = Path.of(args[0]);
            int increments = Integer.parseInt(args[1]);
            try (SharedLong counter = SharedLong.open(ShmFile.of(directory, COUNTER));
                 SharedIntArray control = SharedIntArray.open(ShmFile.of(directory, CONTROL), 3)) {
                for (Way way : Way.values()) {
                    control.incrementAndGet(READY);
                    // Parked, not spinning: on two cores a spinning racer would hold back the others.
                    while (control.get(GO) < way.ordinal() + 1) {
                        LockSupport.parkNanos(20_000);
                    }
                    way.run(counter, increments);
                    control.incrementAndGet(DONE);
                }
            }
        }
    }
}
