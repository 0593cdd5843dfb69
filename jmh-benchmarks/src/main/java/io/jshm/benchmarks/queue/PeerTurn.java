package io.jshm.benchmarks.queue;

import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.ShmEvent;

import java.nio.file.Path;

/**
 * When a peer's turn is, in a paired benchmark ({@link CrossJvmQueuePairedPingPong},
 * {@link CrossJvmQueuePairedThroughput}): a {@link ShmEvent} beside the peer's channel, set
 * during its turns. A receiver that nothing can wake (Agrona's) waits on it between turns
 * ({@link Transport#waitTurnsOn(ShmEvent)}), so that it takes no CPU from the contender measured
 * meanwhile, and spins through its own turns as it does unpaired. jshm's receivers park on their
 * queue's futex when idle and need no signal. Unpaired, the turn begins at creation and never
 * ends.
 */
final class PeerTurn implements AutoCloseable {
    private final ShmEvent event;

    private PeerTurn(ShmEvent event) {
        this.event = event;
    }

    /** The event of the peer of channel {@code name} in {@code dir}. */
    static ShmFile file(Path dir, String name) {
        return ShmFile.of(dir, name + ".turn");
    }

    /** Creates the event, the peer's turn begun. */
    static PeerTurn begun(Path dir, String name) {
        PeerTurn turn = new PeerTurn(ShmEvent.create(file(dir, name)));
        turn.begin();
        return turn;
    }

    /** The peer's turn begins: a receiver waiting on it wakes. */
    void begin() {
        event.set();
    }

    /** The peer's turn ends: its receiver, once idle, waits for the next. */
    void end() {
        event.clear();
    }

    /** Removes the event's file; begin a last turn first, so that a receiver waiting on it reads the end of its stream. */
    @Override
    public void close() {
        try {
            event.unlink();
        } finally {
            event.close();
        }
    }
}
