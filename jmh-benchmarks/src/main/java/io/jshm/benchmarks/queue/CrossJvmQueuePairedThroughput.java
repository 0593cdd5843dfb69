package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * {@link CrossJvmQueueThroughput} for two contenders, {@code a} and {@code b}, taking turns within
 * one fork: each has its channel to a consumer JVM of its own, both set up for the whole fork, and
 * iterations send on {@code a} and {@code b} alternately, measurement starting with {@code a}. On
 * a machine whose speed changes from minute to minute (on this project's 2-vCPU VM, every
 * contender's rate switches between levels up to 4x apart, between forks and within one,
 * presumably as the hypervisor moves the vCPUs), two contenders measured a second apart meet the
 * machine in the same state, where separate forks, minutes apart, may not. Forks still differ:
 * run several, and both ways round.
 *
 * <p>Read the per-iteration rates of the counters {@code a} and {@code b} (each iteration is one
 * contender's; the other's counter is 0 there), not the primary score, which mixes both: {@code
 * tools/paired-ratios.py} pairs each iteration of {@code a} with the next of {@code b} from JMH's
 * JSON output. The consumer whose turn it is not waits as it would for a silent producer and
 * sleeps after 50 µs: jshm's parks on its futex (after spinning and yielding), Agrona's, which
 * the producer cannot wake, parks on its {@link PeerTurn} until its next turn begins. Only
 * the jshm queues and Agrona's rings can be paired (Chronicle's tailer and the socket reader here
 * spin while they wait). Use an even number of warm-up iterations, so that measurement starts
 * with {@code a} after a turn of {@code b}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 20, time = 1)
@Threads(1)
public class CrossJvmQueuePairedThroughput extends CrossJvmQueueBenchmark {
    @Param({"jshm-fanin"})
    public String a;

    @Param({"agrona-mto1"})
    public String b;

    @Param({"64", "1024"})
    public int size;

    @Param({"ignored", "summed"})
    public String payload;

    private Path dir;
    private DrainPeer peerOfA;
    private DrainPeer peerOfB;
    private Transport toA;
    private Transport toB;
    private final Turns turns = new Turns();
    private boolean turnOfA;

    /** Messages sent per contender in one iteration (JMH zeroes them before each), reported as a rate each. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Sent {
        public long a;
        public long b;
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        Turns.checkPairable(a, b);
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        Transport.Payload read = Transport.Payload.of(payload);
        peerOfA = DrainPeer.start(a, dir, "a", size, read, true);
        peerOfB = DrainPeer.start(b, dir, "b", size, read, true);
        toA = peerOfA.sender;
        toB = peerOfB.sender;
    }

    @Setup(Level.Iteration)
    public void turn(IterationParams iteration) {
        turnOfA = turns.next(iteration);
        (turnOfA ? peerOfA : peerOfB).turn.begin();
    }

    @Benchmark
    public void send(Sent sent) throws Exception {
        if (turnOfA) {
            toA.send();
            sent.a++;
        } else {
            toB.send();
            sent.b++;
        }
    }

    @TearDown(Level.Iteration)
    public void endTurn() {
        (turnOfA ? peerOfA : peerOfB).turn.end();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        peerOfA.close();
        peerOfB.close();
        Files.deleteIfExists(dir);
    }
}
