package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The round trip of {@link CrossJvmQueuePingPong} and {@link CrossJvmWakeUpLatency}: a peer JVM
 * that sends back every message it receives, and the two channels to it, in a fresh directory on
 * {@code /dev/shm}. A JMH state of the benchmark that takes it, started once per trial; it reads
 * that benchmark's {@code transport} and {@code size} parameters by name, so each benchmark keeps
 * its own list of contenders, and {@code cpus} where it has one: {@code pinned} binds the sending
 * thread and the peer's echoing thread each to a CPU of its own ({@link CpuAffinity}), anything
 * else or none leaves both to the scheduler.
 */
@State(Scope.Benchmark)
public class EchoPeer {
    private Path dir;
    private Transport ping;
    private Transport pong;
    private JvmProcess peer;

    @Setup(Level.Trial)
    public void start(BenchmarkParams params) throws Exception {
        String transport = params.getParam("transport");
        int size = Integer.parseInt(params.getParam("size"));
        int peerCpu = QueuePeer.ANY_CPU;
        if ("pinned".equals(params.getParam("cpus"))) {
            int[] allowed = CpuAffinity.allowedCpus();
            if (allowed.length < 2) {
                throw new IllegalStateException("cpus=pinned needs two CPUs, one for the sending thread and one for the echoing"
                        + " peer; this process may run on CPU " + Arrays.toString(allowed) + " only");
            }
            // JMH runs a trial's setup on the thread that then runs the benchmark method.
            CpuAffinity.pinCurrentThread(allowed[0]);
            peerCpu = allowed[1];
        }
        dir = Files.createTempDirectory(Path.of("/dev/shm"), "jshm-bench-");
        ping = Transport.of(transport, dir, "q.ping", size, true);
        pong = Transport.of(transport, dir, "q.pong", size, true);
        peer = QueuePeer.start("echo", transport, dir, "q", size, Transport.Payload.IGNORED, peerCpu);
    }

    /** Sends one message and waits until the peer has sent it back; false if the peer ended the stream. */
    boolean roundTrip() throws Exception {
        ping.send();
        return pong.receive();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        ping.finish();
        QueuePeer.awaitEnd(peer);
        ping.close();
        pong.close();
        Files.deleteIfExists(dir);
    }
}
