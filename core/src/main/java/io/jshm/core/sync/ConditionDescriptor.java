package io.jshm.core.sync;

/**
 * The layout of a {@link ShmCondition} region's body.
 *
 * <pre>
 *  offset  size  field
 *       0     4  sequence word (the futex word): incremented by every signal that found waiters
 *     128     4  waiters: threads between the start and the end of an await
 *     256     4  length in bytes of the bound lock's path
 *     260  4092  the bound lock's absolute path, UTF-8, zero-padded
 * </pre>
 *
 * The sequence is written by signallers and read by waiters; the waiters count is written by
 * waiters; each has a line of its own. The lock path is written once, at creation, and lets
 * {@code open} refuse a lock other than the one the condition was created with.
 */
public final class ConditionDescriptor {
    public static final int SEQUENCE_OFFSET = 0;
    public static final int WAITERS_OFFSET = 128;
    public static final int LOCK_PATH_LENGTH_OFFSET = 256;
    public static final int LOCK_PATH_OFFSET = 260;
    public static final int MAX_LOCK_PATH_BYTES = 4092;

    /** Bytes of the body. */
    public static final int SIZE = LOCK_PATH_OFFSET + MAX_LOCK_PATH_BYTES;

    private ConditionDescriptor() {
    }
}
