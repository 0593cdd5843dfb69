package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link CrossJvmQueuePingPong} for two contenders, {@code a} and {@code b}, taking turns within
 * one fork, as {@link CrossJvmQueuePairedThroughput} does for throughput: each has its channels
 * to an echoing peer JVM of its own, both set up for the whole fork, and iterations make round
 * trips on {@code a} and {@code b} alternately ({@link Turns}), measurement starting with
 * {@code a}. On the 2-vCPU VM this was written on, whole forks fall in states whose round trips
 * differ two- or threefold, so a table of separate forks says mostly which state each drew; here
 * an iteration of {@code a} and the next of {@code b} meet the machine alike. The peer whose turn
 * it is not waits as for a silent sender: jshm's parks on its futex (and looks 10 times a
 * second), Agrona's, which the sender cannot wake, parks on its {@link PeerTurn} after 50 µs until
 * its next turn begins, and spins through its own turns as it does unpaired. So the first round
 * trip of a turn is slow (not timed: {@link RoundTripLog}), and neither idle peer takes the CPU
 * from the other's turn but for ten looks a second each (both park on futexes in 100 ms
 * slices). An earlier version let Agrona's idle peer sleep 1 ms at a time instead: a thousand
 * wake-ups a second on the echoing CPU during jshm's turns. With {@code cpus=pinned} the sending
 * thread has a CPU and both peers' echoing threads the other.
 *
 * <p>Read the percentiles of each iteration, not the primary score, which mixes both: every
 * round trip is timed into {@link RoundTripLog}, and {@code tools/round-trips.py} pairs each
 * iteration of {@code a} with the next of {@code b}. Use an even number of warm-up
 * iterations, and enough: each contender warms up in half of them, and with 2 (one each) the
 * first measured iterations still had a p99 of 16 to 690 µs, falling to about 1 by the fifth.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 20, time = 1)
@Threads(1)
public class CrossJvmQueuePairedPingPong extends CrossJvmQueueBenchmark {
    @Param({"jshm-spsc"})
    public String a;

    @Param({"agrona-1to1"})
    public String b;

    @Param({"64", "1024"})
    public int size;

    @Param({"pinned", "free"})
    public String cpus;

    private Path dir;
    private EchoChannel channelOfA;
    private EchoChannel channelOfB;
    private final Turns turns = new Turns();
    private EchoChannel current;
    private final RoundTripLog log = new RoundTripLog();

    @Setup(Level.Trial)
    public void start() throws Exception {
        Turns.checkPairable(a, b);
        int peerCpu = CpuAffinity.pinSenderAndChoosePeerCpu(cpus);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        channelOfA = EchoChannel.start(a, dir, "a", size, peerCpu, true);
        channelOfB = EchoChannel.start(b, dir, "b", size, peerCpu, true);
    }

    @Setup(Level.Iteration)
    public void turn(IterationParams iteration) {
        current = turns.next(iteration) ? channelOfA : channelOfB;
        current.turn.begin();
        log.startIteration();
    }

    @Benchmark
    public boolean roundTrip() throws Exception {
        return log.roundTripEnded(current.roundTrip());
    }

    @TearDown(Level.Iteration)
    public void endTurn(BenchmarkParams benchmark, IterationParams iteration) {
        current.turn.end();
        log.endIteration(benchmark, iteration, current.contender);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        log.printSummary();
        channelOfA.close();
        channelOfB.close();
        Files.deleteIfExists(dir);
    }
}
