package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Round trip: send a message to a peer JVM, which sends it back on a second channel; the time
 * until it is back (SampleTime gives p50, p99, p99.9). jshm's receivers spin briefly and then park
 * on a futex, so on a loaded machine this includes the parked consumer's wake-up; Agrona's spin.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrossJvmQueuePingPong extends CrossJvmQueueBenchmark {
    @Param({"jshm-spsc", "jshm-mpmc", "agrona-1to1", "agrona-mto1", "chronicle", "uds"})
    public String transport;

    @Param({"64", "1024"})
    public int size;

    private Path dir;
    private Transport ping;
    private Transport pong;
    private JvmProcess peer;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        ping = Transport.of(transport, dir, "q.ping", size, true);
        pong = Transport.of(transport, dir, "q.pong", size, true);
        peer = QueuePeer.start("echo", transport, dir, "q", size);
    }

    @Benchmark
    public boolean roundTrip() throws Exception {
        ping.send();
        return pong.receive();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        ping.finish();
        if (!peer.join(java.time.Duration.ofSeconds(30))) {
            peer.kill();
        }
        ping.close();
        pong.close();
        Files.deleteIfExists(dir);
    }
}
