package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;

import java.nio.file.Path;

/**
 * The consumer side of {@link CrossJvmQueueThroughput} and {@link CrossJvmQueuePairedThroughput}:
 * a channel created in {@code dir}, its sending end here, and a peer JVM that drains it until end
 * of stream. Closing ends the stream, waits for the peer and closes the channel.
 */
final class DrainPeer implements AutoCloseable {
    /** The sending end; the benchmarks keep it in a field of their own for the hot path. */
    final Transport sender;
    /** When the peer's turns are, for one that waits its turns. */
    final PeerTurn turn;
    private final JvmProcess peer;

    private DrainPeer(Transport sender, PeerTurn turn, JvmProcess peer) {
        this.sender = sender;
        this.turn = turn;
        this.peer = peer;
    }

    /**
     * Creates the channel {@code name} of {@code kind} and starts its draining peer, which does
     * {@code payload} with each message and, if {@code inTurns}, waits between its turns
     * ({@link #turn}), starting between turns.
     */
    static DrainPeer start(String kind, Path dir, String name, int size, Transport.Payload payload, boolean inTurns)
            throws Exception {
        Transport sender = Transport.of(kind, dir, name, size, true);
        return new DrainPeer(sender, PeerTurn.create(dir, name), QueuePeer.start(inTurns ? "drain-in-turns" : "drain", kind, dir, name, size,
                payload, CpuAffinity.ANY_CPU));
    }

    @Override
    public void close() throws Exception {
        sender.finish();
        try {
            QueuePeer.end(peer, turn);
        } finally {
            sender.close();
        }
    }
}
