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
 * queue's futex when idle and need no signal, and unpaired peers never look at it.
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

    /** Creates the event, between turns. */
    static PeerTurn create(Path dir, String name) {
        return new PeerTurn(ShmEvent.create(file(dir, name)));
    }

    /** The peer's turn begins: a receiver waiting on it wakes. */
    void begin() {
        event.set();
    }

    /** The peer's turn ends: its receiver, once idle, waits for the next. */
    void end() {
        event.clear();
    }

    /** Removes the event's file ({@link QueuePeer#end} begins a last turn first). */
    @Override
    public void close() {
        try {
            event.unlink();
        } finally {
            event.close();
        }
    }
}
