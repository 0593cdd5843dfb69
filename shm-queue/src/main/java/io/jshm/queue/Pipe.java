package io.jshm.queue;

import io.jshm.core.region.ShmFile;

import java.time.Duration;

/**
 * One end of a duplex message pipe between two processes (Python's {@code Pipe()}): two
 * {@link SpscQueue}s, {@code <name>.ab} (first end to second) and {@code <name>.ba} (second to
 * first). Each end may be used by one sending and one receiving thread at a time.
 *
 * <p>The first end {@link #create}s both queues; the other process {@link #open}s the second
 * end. {@link #close()} closes this end's outgoing direction for sending (the peer then drains
 * what was sent and gets {@link EndOfStreamException}) and unmaps both queues.
 */
public final class Pipe implements AutoCloseable {
    private final SpscQueue outgoing;
    private final SpscQueue incoming;

    private Pipe(SpscQueue outgoing, SpscQueue incoming) {
        this.outgoing = outgoing;
        this.incoming = incoming;
    }

    /** Creates both directions and returns the first end. */
    public static Pipe create(ShmFile file, int capacity, int maxMessageLength) {
        SpscQueue ab = SpscQueue.create(direction(file, "ab"), capacity, maxMessageLength);
        try {
            return new Pipe(ab, SpscQueue.create(direction(file, "ba"), capacity, maxMessageLength));
        } catch (RuntimeException e) {
            ab.unlink();
            ab.close();
            throw e;
        }
    }

    /** Opens the second end of a pipe another process created. */
    public static Pipe open(ShmFile file) {
        SpscQueue ba = SpscQueue.open(direction(file, "ba"));
        try {
            return new Pipe(ba, SpscQueue.open(direction(file, "ab")));
        } catch (RuntimeException e) {
            ba.close();
            throw e;
        }
    }

    private static ShmFile direction(ShmFile file, String suffix) {
        return new ShmFile(file.directory(), file.name() + "." + suffix, file.permissions(), file.openTimeout());
    }

    /** Sends to the other end, waiting while the pipe is full. */
    public void send(byte[] message) throws InterruptedException {
        outgoing.put(message);
    }

    /** Sends if there is room within {@code timeout}. */
    public boolean send(byte[] message, Duration timeout) throws InterruptedException {
        return outgoing.offer(message, timeout);
    }

    /** Receives from the other end, waiting while nothing arrived. */
    public byte[] receive() throws InterruptedException {
        return incoming.take();
    }

    /** Receives, waiting at most {@code timeout}; null if nothing came. */
    public byte[] receive(Duration timeout) throws InterruptedException {
        return incoming.poll(timeout);
    }

    /** Whether a message is waiting (Python's {@code poll()}). */
    public boolean hasMessage() {
        return !incoming.isEmpty();
    }

    /** The queue this end sends on, for the full API (zero-copy, buffers). */
    public SpscQueue outgoing() {
        return outgoing;
    }

    /** The queue this end receives from. */
    public SpscQueue incoming() {
        return incoming;
    }

    /**
     * Closes this end for sending only: the peer receives what was sent, then
     * {@link EndOfStreamException}; this end can still receive (a half-close).
     */
    public void closeForSending() {
        outgoing.closeForSending();
    }

    /** Removes both names; open ends keep working. */
    public void unlink() {
        outgoing.unlink();
        incoming.unlink();
    }

    /** Closes this end's outgoing direction for sending, and unmaps both queues. */
    @Override
    public void close() {
        try {
            outgoing.closeForSending();
        } finally {
            outgoing.close();
            incoming.close();
        }
    }
}
