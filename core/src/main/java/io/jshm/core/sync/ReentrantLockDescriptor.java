package io.jshm.core.sync;

/**
 * The layout of a {@link ShmReentrantLock} region's body: two 128-byte lines.
 *
 * <pre>
 *  offset  size  field
 *       0   128  the robust lock, laid out as {@link LockDescriptor} (owner pid in the lock word,
 *                owner start time, owner thread id, owner deaths)
 *     128     8  hold count: how many times the owner has locked without unlocking; written only
 *                by the owner, 0 while free
 *     136   120  reserved, zero
 * </pre>
 *
 * The hold count sits on its own line: waiters spin on the lock word, and the owner's
 * re-locking should not invalidate their cached copy of it.
 */
public final class ReentrantLockDescriptor {
    public static final int LOCK_OFFSET = 0;
    public static final int HOLD_COUNT_OFFSET = 128;

    /** Bytes of the body. */
    public static final int SIZE = 256;

    private ReentrantLockDescriptor() {
    }
}
