package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

import java.util.concurrent.TimeUnit;

/**
 * The round trip of {@link CrossJvmQueuePingPong} to a consumer that has gone to sleep: before
 * each round trip the sender pauses {@value #PAUSE_MICROS} µs, so the peer's receiver has long
 * given up waiting actively. jshm's receivers spin for 2.5 µs, yield until 50 µs, and then
 * park on a futex; the socket's peer sleeps in a blocking {@code read}. Each measured round trip
 * therefore includes a kernel wake-up of the peer, and usually one of this thread too (the reply
 * takes longer than its spin). This is the latency of sporadic messages, which ping-pong at full
 * rate hides by keeping both receivers spinning.
 *
 * <p>The pause is a {@code @Setup(Level.Invocation)}: JMH runs it outside the timed region, and
 * the caveats of that level do not bite here. Its timestamps cost tens of nanoseconds against a
 * round trip of tens of microseconds, and SampleTime times each sampled invocation on its own
 * anyway; one thread means no helper synchronisation. The sender busy-waits rather than sleeps,
 * so it is running and warm when the clock starts: only the receivers' sleep is measured, not
 * the sender's own return from one.
 *
 * <p>{@code agrona-1to1} is the reference: its receiver never parks and burns a core instead, so
 * its round trip after the same pause is what the wake-ups cost the others. Chronicle's tailer
 * and Agrona's many-to-one ring spin the same way and would add nothing. The reference means
 * something only with a free core each for the busy sender and the spinning peer; with fewer, the
 * two take turns on a core and it measures the scheduler's time slice. The pause caps the rate
 * at under a thousand round trips a second, so measurement iterations are longer than the other
 * queue benchmarks' to gather enough samples for p99.9.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Measurement(iterations = 5, time = 4)
public class CrossJvmWakeUpLatency extends CrossJvmQueueBenchmark {
    static final long PAUSE_MICROS = 1000;
    private static final long PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(PAUSE_MICROS);

    // EchoPeer reads both parameters by name.
    @Param({"jshm-spsc", "jshm-mpsc", "jshm-mpmc", "jshm-fanin", "uds", "agrona-1to1"})
    public String transport;

    @Param({"64"})
    public int size;

    @Setup(Level.Invocation)
    public void pause() {
        long until = System.nanoTime() + PAUSE_NANOS;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    @Benchmark
    public boolean roundTrip(EchoPeer echo) throws Exception {
        return echo.roundTrip();
    }
}
