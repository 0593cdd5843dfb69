package io.jshm.core.sync;

/**
 * The layout of one robust lock: a single 128-byte line, embeddable in any region body at a
 * 128-byte aligned offset (a standalone {@link ShmLock} region holds just this line).
 *
 * <pre>
 *  offset  size  field
 *       0     4  lock word: 0 when free, else the owner's pid, ORed with {@link #WAITERS_BIT}
 *                when a thread may be parked on the futex
 *       8     8  owner start time (clock ticks since boot), 0 while not yet recorded
 *      16     8  owner thread id, 0 while not yet recorded
 *      24     8  how many times a waiter took the lock over from a dead owner
 *      32    96  reserved, zero
 * </pre>
 *
 * The owner's pid lives in the lock word itself, so that acquiring and naming the owner are one
 * atomic step: a process killed right after its CAS is still named as the owner. The start time
 * and thread id are recorded just after; they only refine the verdict (pid reuse, which thread
 * may unlock).
 */
public final class LockDescriptor {
    public static final int LOCK_WORD_OFFSET = 0;
    public static final int OWNER_START_TIME_OFFSET = 8;
    public static final int OWNER_THREAD_OFFSET = 16;
    public static final int OWNER_DEATHS_OFFSET = 24;

    /** Bytes one lock occupies: a whole line of its own. */
    public static final int SIZE = 128;

    /** Set in the lock word while a thread may be parked; pids stay below it (Linux pid_max is at most 2^22). */
    public static final int WAITERS_BIT = 0x4000_0000;

    private LockDescriptor() {
    }
}
