package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

import java.util.concurrent.TimeUnit;

/**
 * Round trip: send a message to a peer JVM, which sends it back on a second channel; the time
 * until it is back. JMH's score is the mean; every round trip is timed into {@link RoundTripLog}
 * for the percentiles ({@code tools/round-trips.py}). jshm's receivers spin briefly and then park
 * on a futex, so on a loaded machine this includes the parked consumer's wake-up; Agrona's and
 * Chronicle's spin. {@link CrossJvmWakeUpLatency} measures the parked case on purpose.
 *
 * <p>{@code cpus}: {@code free} leaves the two busy threads to the scheduler, {@code pinned} binds
 * each to a CPU of its own. On a machine with as many CPUs as busy threads, free threads
 * sometimes share one CPU: traced on a 2-vCPU VM, for episodes of 8 to 190 ms, starting when a
 * third thread (a JIT compiler, JMH's own work between iterations) takes a CPU. jshm's receivers
 * then pass turns by yielding, 10 to 15 µs a round trip there, each one sampled; spinning
 * receivers pass them by time slice, a few round trips of milliseconds. The free percentiles
 * measure that scheduler as much as the channel; the pinned ones, the channel.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrossJvmQueuePingPong extends CrossJvmQueueBenchmark {
    // EchoPeer reads both parameters by name.
    @Param({"jshm-spsc", "jshm-mpsc", "jshm-mpmc", "jshm-fanin", "agrona-1to1", "agrona-mto1", "chronicle", "uds"})
    public String transport;

    @Param({"64", "1024"})
    public int size;

    // EchoPeer reads it by name too.
    @Param({"free", "pinned"})
    public String cpus;

    private final RoundTripLog log = new RoundTripLog();

    @Setup(Level.Iteration)
    public void startIteration() {
        log.startIteration();
    }

    @Benchmark
    public boolean roundTrip(EchoPeer echo) throws Exception {
        return log.roundTripEnded(echo.roundTrip());
    }

    @TearDown(Level.Iteration)
    public void endIteration(BenchmarkParams benchmark, IterationParams iteration) {
        log.endIteration(benchmark, iteration, transport);
    }

    @TearDown(Level.Trial)
    public void printPercentiles() {
        log.printSummary();
    }
}
