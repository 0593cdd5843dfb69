package io.jshm.queue;

/** A message longer than the queue's maximum message length; nothing was sent. */
public final class MessageTooLongException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long length;
    private final int maxLength;

    public MessageTooLongException(long length, int maxLength) {
        super("message of " + length + " bytes exceeds the queue's maximum message length of " + maxLength + " bytes");
        this.length = length;
        this.maxLength = maxLength;
    }

    public long length() {
        return length;
    }

    public int maxLength() {
        return maxLength;
    }
}
