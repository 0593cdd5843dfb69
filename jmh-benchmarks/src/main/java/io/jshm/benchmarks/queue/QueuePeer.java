package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.sync.ShmEvent;
import org.openjdk.jmh.annotations.Fork;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * The other JVM of the cross-JVM queue benchmarks: {@code drain} receives until end of stream;
 * {@code echo} sends every message it receives back on a second channel; {@code drain-in-turns}
 * and {@code echo-in-turns} do the same, waiting between their turns ({@link PeerTurn}).
 * Arguments: mode, transport kind, directory, channel name, message size, payload handling
 * ({@link Transport.Payload}, for {@code drain}), the CPU to pin the receiving thread to
 * ({@link CpuAffinity}), or {@value CpuAffinity#ANY_CPU} for none.
 */
public final class QueuePeer {
    /**
     * The benchmark fork's own flags, so that both ends of a channel run alike; a small heap and the
     * serial collector, since the peer allocates nothing per message and should not take a core for GC.
     */
    static final List<String> PEER_JVM_OPTIONS = Stream.concat(
            Arrays.stream(CrossJvmQueueBenchmark.class.getAnnotation(Fork.class).jvmArgsAppend()),
            Stream.of("-XX:+UseSerialGC", "-Xmx256m")).toList();

    private QueuePeer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String kind = args[1];
        Path dir = Path.of(args[2]);
        String name = args[3];
        int size = Integer.parseInt(args[4]);
        int cpu = Integer.parseInt(args[6]);
        if (cpu != CpuAffinity.ANY_CPU) {
            CpuAffinity.pinCurrentThread(cpu);
        }
        // Null for an unpaired peer, which never waits for a turn.
        try (ShmEvent turn = mode.endsWith("-in-turns") ? ShmEvent.open(PeerTurn.file(dir, name)) : null) {
            if (mode.startsWith("drain")) {
                drain(kind, dir, name, size, Transport.Payload.of(args[5]), turn);
            } else {
                echo(kind, dir, name, size, turn);
            }
        }
    }

    private static void drain(String kind, Path dir, String name, int size, Transport.Payload payload, ShmEvent turn)
            throws Exception {
        try (Transport in = Transport.of(kind, dir, name, size, false, payload)) {
            in.waitTurnsOn(turn);
            while (in.receiveBatch() >= 0) {
                // discard
            }
        }
    }

    private static void echo(String kind, Path dir, String name, int size, ShmEvent turn) throws Exception {
        try (Transport in = Transport.of(kind, dir, name + ".ping", size, false);
             Transport out = Transport.of(kind, dir, name + ".pong", size, false)) {
            in.waitTurnsOn(turn);
            while (in.receive()) {
                out.send();
            }
        }
    }

    /**
     * After a peer's stream was ended: begins a last turn, so that a peer waiting between turns
     * reads the end, waits up to 30 s for the peer to end, and removes its turn's event. A peer
     * still running then is killed, and its end fails: it missed the end of its stream.
     */
    static void end(JvmProcess peer, PeerTurn turn) throws InterruptedException {
        try (turn) {
            turn.begin();
            if (!peer.join(Duration.ofSeconds(30))) {
                peer.kill();
                throw new IllegalStateException("peer " + peer + " still ran 30 s after the end of its stream: killed");
            }
        }
    }

    /**
     * Starts a peer in its own JVM; it halts if this JVM dies. {@code payload}: what a draining peer
     * does with each message; {@code cpu}: where its receiving thread runs, or {@link CpuAffinity#ANY_CPU}.
     */
    static JvmProcess start(String mode, String kind, Path dir, String name, int size, Transport.Payload payload, int cpu) {
        return JvmProcess.builder(QueuePeer.class)
                .args(mode, kind, dir.toString(), name, Integer.toString(size), payload.name(), Integer.toString(cpu))
                .jvmOptions(PEER_JVM_OPTIONS.toArray(String[]::new)).daemon(true).inheritOutput().start();
    }
}
