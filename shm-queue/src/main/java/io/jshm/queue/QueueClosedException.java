package io.jshm.queue;

/**
 * The queue was closed for sending ({@link ShmQueue#closeForSending()}): thrown to a producer
 * that sends afterwards, including one that was blocked on a full queue when it was closed.
 */
public class QueueClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public QueueClosedException(String message) {
        super(message);
    }
}
