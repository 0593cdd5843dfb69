package io.jshm.benchmarks.queue;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The round trip of {@link CrossJvmQueuePingPong} and {@link CrossJvmWakeUpLatency}: a peer JVM
 * that sends back every message it receives, and the two channels to it, in a fresh directory on
 * {@code /dev/shm}. A JMH state of the benchmark that takes it, started once per trial; it reads
 * that benchmark's {@code transport} and {@code size} parameters by name, so each benchmark keeps
 * its own list of contenders, and {@code cpus} where it has one
 * ({@link CpuAffinity#pinSenderAndChoosePeerCpu(String)}).
 */
@State(Scope.Benchmark)
public class EchoPeer {
    private Path dir;
    private EchoChannel channel;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        int peerCpu = CpuAffinity.pinSenderAndChoosePeerCpu(params.getParam("cpus"));
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        channel = EchoChannel.start(params.getParam("transport"), dir, "q", Integer.parseInt(params.getParam("size")),
                peerCpu, false);
    }

    /** Sends one message and waits until the peer has sent it back; false if the peer ended the stream. */
    boolean roundTrip() throws Exception {
        return channel.roundTrip();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        channel.close();
        Files.deleteIfExists(dir);
    }
}
