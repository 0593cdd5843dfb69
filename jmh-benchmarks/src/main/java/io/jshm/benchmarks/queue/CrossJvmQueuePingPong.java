package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;

import java.util.concurrent.TimeUnit;

/**
 * Round trip: send a message to a peer JVM, which sends it back on a second channel; the time
 * until it is back (SampleTime gives p50, p99, p99.9). jshm's receivers spin briefly and then park
 * on a futex, so on a loaded machine this includes the parked consumer's wake-up; Agrona's and
 * Chronicle's spin. {@link CrossJvmWakeUpLatency} measures the parked case on purpose.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrossJvmQueuePingPong extends CrossJvmQueueBenchmark {
    // EchoPeer reads both parameters by name.
    @Param({"jshm-spsc", "jshm-mpsc", "jshm-mpmc", "jshm-fanin", "agrona-1to1", "agrona-mto1", "chronicle", "uds"})
    public String transport;

    @Param({"64", "1024"})
    public int size;

    @Benchmark
    public boolean roundTrip(EchoPeer echo) throws Exception {
        return echo.roundTrip();
    }
}
