package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;

import java.nio.file.Path;
import java.util.List;

/**
 * The other JVM of the cross-JVM queue benchmarks: {@code drain} receives until end of stream;
 * {@code echo} sends every message it receives back on a second channel.
 * Arguments: mode, transport kind, directory, channel name, message size.
 */
public final class QueuePeer {
    /** JVM flags a peer needs: Agrona reads {@code jdk.internal.misc} on JDK 25. */
    static final List<String> PEER_JVM_OPTIONS = List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-XX:+UseSerialGC", "-Xmx256m");

    private QueuePeer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String kind = args[1];
        Path dir = Path.of(args[2]);
        String name = args[3];
        int size = Integer.parseInt(args[4]);
        if (mode.equals("drain")) {
            try (Transport in = Transport.of(kind, dir, name, size, false)) {
                while (in.receiveBatch() >= 0) {
                    // discard
                }
            }
        } else {
            try (Transport in = Transport.of(kind, dir, name + ".ping", size, false);
                 Transport out = Transport.of(kind, dir, name + ".pong", size, false)) {
                while (in.receive()) {
                    out.send();
                }
            }
        }
    }

    /** Starts a peer in its own JVM; it halts if this JVM dies. */
    static JvmProcess start(String mode, String kind, Path dir, String name, int size) {
        return JvmProcess.builder(QueuePeer.class).args(mode, kind, dir.toString(), name, Integer.toString(size))
                .jvmOptions(PEER_JVM_OPTIONS.toArray(String[]::new)).daemon(true).inheritOutput().start();
    }
}
