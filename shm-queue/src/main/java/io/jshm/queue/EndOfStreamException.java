package io.jshm.queue;

/**
 * The queue was closed for sending and every message sent before has been received: nothing
 * will ever arrive again. Thrown to every consumer, blocked or not, once the queue is drained;
 * the consumers' end-of-stream signal (no sentinel messages needed).
 */
public final class EndOfStreamException extends QueueClosedException {
    private static final long serialVersionUID = 1L;

    public EndOfStreamException(String message) {
        super(message);
    }
}
