package io.jshm.benchmarks.queue;

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
 * Messages per second from this JVM (the producer) to a consumer in another JVM, which drains in
 * batches (zero-copy where the contender has it) and either ignores each payload or reads all of
 * it ({@link Transport.Payload}). MB/s = ops/s x size.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CrossJvmQueueThroughput extends CrossJvmQueueBenchmark {
    @Param({"jshm-spsc", "jshm-mpsc", "jshm-mpmc", "jshm-fanin", "agrona-1to1", "agrona-mto1", "chronicle", "uds"})
    public String transport;

    @Param({"64", "1024"})
    public int size;

    @Param({"ignored", "summed"})
    public String payload;

    private Path dir;
    private DrainPeer peer;
    private Transport out;

    @Setup(Level.Trial)
    public void start() throws Exception {
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        peer = DrainPeer.start(transport, dir, "q", size, Transport.Payload.of(payload), false);
        out = peer.sender;
    }

    @Benchmark
    public void send() throws Exception {
        out.send();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        peer.close();
        Files.deleteIfExists(dir);
    }
}
