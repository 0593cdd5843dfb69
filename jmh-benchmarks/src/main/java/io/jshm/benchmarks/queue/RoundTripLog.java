package io.jshm.benchmarks.queue;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The time of every round trip of a ping-pong benchmark's measurement iterations, in an
 * HdrHistogram per iteration, each appended as one JSON line to {@value #FILE_NAME} in the
 * working directory (where JMH writes its own results); {@code tools/round-trips.py} makes the
 * percentile tables from it. At the end of a trial, the percentiles of each contender over its
 * measurement iterations are printed too (JMH shows them in the fork's output).
 *
 * <p>Why not JMH's {@code SampleTime}: JMH 1.37 times one invocation in a random few, keeps at
 * most 20 samples a millisecond, and when it has too many halves every count of its histogram,
 * except that a count of 1 stays 1 ({@code SampleBuffer.half()}: it never halves to zero). A
 * second of a million round trips is halved six times or so, and each halving doubles the weight
 * of every lone sample against the rest: a rare slow round trip sampled early in an iteration
 * ends up counting for up to 64. The first invocation of an iteration is always sampled, and is
 * often slow (a peer that parked or slept between iterations, or during the other contender's
 * turn in {@link CrossJvmQueuePairedPingPong}), so SampleTime's p99.9 and p99.99 of a round trip
 * of a microsecond were mostly those first invocations: on the 2-vCPU VM this was found on,
 * {@code SpscQueue} pinned, 64 B, SampleTime gave p99.99 4.0 to 5.0 ms over several runs where
 * timing every round trip with this class gave 27 µs (and p99.9 23 to 54 µs against 4.7 µs).
 *
 * <p>Timing: every invocation of the benchmark method between the iteration's setup and its
 * teardown (JMH's count of them all, {@code allOps}, includes the few it runs around the measured
 * span to keep threads in step), one {@link System#nanoTime()} per round trip, at its end; a
 * round trip's time is from the end of the one before, so it includes JMH's loop around the
 * benchmark method, a few nanoseconds, and the clock read, alike for every contender. The first round trip of an
 * iteration only starts the clock: it follows JMH's work between iterations, and in a paired run
 * the other contender's turn, during which the peer went to sleep
 * ({@link CrossJvmWakeUpLatency} measures that wake-up on purpose). Recording allocates nothing.
 */
public final class RoundTripLog {
    /** Where each fork appends, in its working directory (JMH forks inherit the host's). */
    public static final String FILE_NAME = "jmh-latency.jsonl";
    /** Longer round trips are recorded as this long: nothing real comes near it. */
    private static final long LONGEST_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final String FORK = ProcessHandle.current().pid() + "@"
            + ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);

    private final Histogram iteration = new Histogram(LONGEST_NANOS, 3);
    private final Map<String, Histogram> measuredByContender = new LinkedHashMap<>();
    private long lastEnd;
    private boolean clockStarted;
    private int measuredIterations;

    RoundTripLog() {
    }

    /** Before an iteration: a new histogram, and the clock to start at the end of the first round trip. */
    void startIteration() {
        iteration.reset();
        clockStarted = false;
    }

    /** At the end of each round trip, given its result, which it returns for the benchmark method to hand to JMH. */
    boolean roundTripEnded(boolean echoed) {
        long now = System.nanoTime();
        if (clockStarted) {
            iteration.recordValue(Math.min(now - lastEnd, LONGEST_NANOS));
        }
        clockStarted = true;
        lastEnd = now;
        return echoed;
    }

    /** After an iteration of round trips on {@code contender}: a measurement iteration's histogram goes to the file. */
    void endIteration(BenchmarkParams benchmark, IterationParams params, String contender) {
        if (params.getType() != IterationType.MEASUREMENT) {
            return;
        }
        measuredByContender.computeIfAbsent(contender, c -> new Histogram(LONGEST_NANOS, 3)).add(iteration);
        StringBuilder line = new StringBuilder("{\"benchmark\": \"").append(benchmark.getBenchmark())
                .append("\", \"params\": {");
        String separator = "";
        for (String key : benchmark.getParamsKeys()) {
            line.append(separator).append('"').append(key).append("\": \"").append(benchmark.getParam(key)).append('"');
            separator = ", ";
        }
        line.append("}, \"fork\": \"").append(FORK).append("\", \"iteration\": ").append(measuredIterations++)
                .append(", \"contender\": \"").append(contender).append("\", \"nanos\": [");
        separator = "";
        for (HistogramIterationValue value : iteration.recordedValues()) {
            line.append(separator).append('[').append(value.getValueIteratedTo()).append(", ")
                    .append(value.getCountAtValueIteratedTo()).append(']');
            separator = ", ";
        }
        line.append("]}\n");
        try {
            Files.writeString(Path.of(FILE_NAME), line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append round-trip times to " + Path.of(FILE_NAME).toAbsolutePath(), e);
        }
    }

    /** At the end of a trial: each contender's percentiles over its measurement iterations, on standard output. */
    void printSummary() {
        measuredByContender.forEach((contender, h) -> System.out.printf(
                "%s round trips, every one timed, µs: p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.1f, p99.99 %.1f, max %.1f"
                        + " (%,d round trips, mean %.3f)%n",
                contender, micros(h, 50), micros(h, 90), micros(h, 99), micros(h, 99.9), micros(h, 99.99),
                h.getMaxValue() / 1e3, h.getTotalCount(), h.getMean() / 1e3));
    }

    private static double micros(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }
}
