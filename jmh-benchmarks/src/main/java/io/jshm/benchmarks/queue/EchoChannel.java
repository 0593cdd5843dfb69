package io.jshm.benchmarks.queue;

import io.jshm.core.process.JvmProcess;

import java.nio.file.Path;

/**
 * A round trip to a peer JVM that sends back every message it receives: one contender's two
 * channels to it ({@code NAME.ping} and {@code NAME.pong} in a directory) and the peer. Used by
 * {@link EchoPeer} and {@link CrossJvmQueuePairedPingPong}.
 */
final class EchoChannel implements AutoCloseable {
    /** The contender, as {@link Transport#of} names it. */
    final String contender;
    private final Transport ping;
    private final Transport pong;
    /** When the peer's turns are, for one that waits its turns. */
    final PeerTurn turn;
    private final JvmProcess peer;

    private EchoChannel(String contender, Transport ping, Transport pong, PeerTurn turn, JvmProcess peer) {
        this.contender = contender;
        this.ping = ping;
        this.pong = pong;
        this.turn = turn;
        this.peer = peer;
    }

    /**
     * Creates the channels and starts the peer, its echoing thread on {@code peerCpu} (or
     * {@link CpuAffinity#ANY_CPU}), and returns once it has echoed a first message, between turns;
     * a peer that {@code waitsItsTurn} waits between its turns ({@link #turn}), so that it leaves
     * the CPU to the contender measured meanwhile.
     */
    static EchoChannel start(String transport, Path dir, String name, int size, int peerCpu, boolean waitsItsTurn)
            throws Exception {
        Transport ping = Transport.of(transport, dir, name + ".ping", size, true);
        Transport pong = Transport.of(transport, dir, name + ".pong", size, true);
        PeerTurn turn = PeerTurn.create(dir, name);
        EchoChannel channel = new EchoChannel(transport, ping, pong, turn, QueuePeer.start(
                waitsItsTurn ? "echo-in-turns" : "echo", transport, dir, name, size, Transport.Payload.IGNORED, peerCpu));
        // The peer's JVM takes longer to start than a short iteration lasts: one echo here, a turn
        // of its own, keeps its start out of the first iteration.
        turn.begin();
        if (!channel.roundTrip()) {
            throw new IllegalStateException(
                    "the " + transport + " peer of " + dir.resolve(name) + " ended its stream before its first echo");
        }
        turn.end();
        return channel;
    }

    /** Sends one message and waits until the peer has sent it back; false if the peer ended the stream. */
    boolean roundTrip() throws Exception {
        ping.send();
        return pong.receive();
    }

    /** Ends the peer's stream, waits for it to end and removes the channels' files. */
    @Override
    public void close() throws Exception {
        ping.finish();
        try (ping; pong) {
            QueuePeer.end(peer, turn);
        }
    }
}
