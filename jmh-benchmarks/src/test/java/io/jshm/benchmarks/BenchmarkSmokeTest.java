package io.jshm.benchmarks;

import io.jshm.benchmarks.queue.RoundTripLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs every benchmark of this module once, as briefly as JMH allows (1 fork, no warm-up, one
 * 200 ms measurement), so that the test suite catches a benchmark that no longer starts or
 * throws: a peer that needs a new JVM flag, a renamed API, a broken setup. It measures nothing,
 * but checks that the ping-pong benchmarks' {@link RoundTripLog} timed every round trip JMH ran
 * but the first of each iteration, no more and no fewer.
 */
class BenchmarkSmokeTest {
    private static final String ALL_OF_THIS_MODULE = "io\\.jshm\\.benchmarks\\..*";

    private static final Pattern LOG_LINE = Pattern.compile(
            "\\{\"benchmark\": \"([^\"]+)\", \"params\": \\{([^}]*)}.*\"nanos\": \\[(.*)]}");
    private static final Pattern PARAM = Pattern.compile("\"([^\"]+)\": \"([^\"]*)\"");
    private static final Pattern COUNT = Pattern.compile("\\[\\d+, (\\d+)]");

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyBenchmarkRunsOnce() throws Exception {
        Path roundTripLog = Path.of(RoundTripLog.FILE_NAME); // the forks' working directory is this one
        Files.deleteIfExists(roundTripLog);
        Options options = new OptionsBuilder()
                .include(ALL_OF_THIS_MODULE)
                .forks(1)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(200))
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> expected = BenchmarkList.defaultList()
                .find(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), List.of(ALL_OF_THIS_MODULE), List.of())
                .stream().map(BenchmarkListEntry::getUsername).collect(Collectors.toCollection(TreeSet::new));
        Set<String> ran = results.stream().map(r -> r.getParams().getBenchmark()).collect(Collectors.toCollection(TreeSet::new));
        assertFalse(expected.isEmpty(), "no benchmarks found: is the JMH annotation processor running?");
        assertEquals(expected, ran);
        for (RunResult result : results) {
            double score = result.getPrimaryResult().getScore();
            assertTrue(Double.isFinite(score) && score > 0, () -> result.getParams().id() + " scored " + score);
        }

        Map<String, Long> timed = timedRoundTrips(roundTripLog);
        Map<String, Long> run = new TreeMap<>();
        for (RunResult result : results) {
            if (result.getParams().getBenchmark().contains("PingPong")) {
                for (BenchmarkResult fork : result.getBenchmarkResults()) {
                    for (IterationResult iteration : fork.getIterationResults()) {
                        run.merge(key(result.getParams()), iteration.getMetadata().getAllOps() - 1, Long::sum);
                    }
                }
            }
        }
        assertFalse(run.isEmpty(), "no ping-pong benchmark ran");
        assertEquals(run, timed, "round trips timed in " + roundTripLog.toAbsolutePath() + " per benchmark and parameters");
    }

    /** Per benchmark and parameters, how many round trips the log holds. */
    private static Map<String, Long> timedRoundTrips(Path log) throws Exception {
        Map<String, Long> timed = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher matcher = LOG_LINE.matcher(line);
            assertTrue(matcher.matches(), () -> "not a line of RoundTripLog: " + line);
            Map<String, String> params = new TreeMap<>();
            for (Matcher param = PARAM.matcher(matcher.group(2)); param.find(); ) {
                params.put(param.group(1), param.group(2));
            }
            long count = 0;
            for (Matcher bucket = COUNT.matcher(matcher.group(3)); bucket.find(); ) {
                count += Long.parseLong(bucket.group(1));
            }
            timed.merge(matcher.group(1) + " " + params, count, Long::sum);
        }
        return timed;
    }

    private static String key(BenchmarkParams params) {
        Map<String, String> values = new TreeMap<>();
        params.getParamsKeys().forEach(k -> values.put(k, params.getParam(k)));
        return params.getBenchmark() + " " + values;
    }
}
