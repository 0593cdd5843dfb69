package io.jshm.core.sync;

import java.nio.file.Path;

/**
 * The previous owner of a lock died holding it, and the lock was taken over by the caller, as
 * {@code EOWNERDEAD} tells a robust pthread mutex's next owner. Thrown by {@code lock()} and
 * {@code tryLock()}, the lock is held ({@link #lockHeld()}): repair or discard whatever it guards,
 * then unlock as usual. Helpers that run an action under the lock release it again before they
 * throw, without running the action; they say so with {@link #afterRelease()}.
 */
public final class OwnerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long deadOwnerPid;
    private final boolean lockHeld;

    public OwnerDiedException(Path file, long deadOwnerPid) {
        this(file, deadOwnerPid, true);
    }

    private OwnerDiedException(Path file, long deadOwnerPid, boolean lockHeld) {
        super("the previous owner of the lock in " + file + " (pid " + deadOwnerPid + ") died holding it; "
                + (lockHeld
                        ? "this thread now holds it, and what it guards may be inconsistent"
                        : "the lock was taken over and released again without running the action; what it guards may be inconsistent"));
        this.file = file;
        this.deadOwnerPid = deadOwnerPid;
        this.lockHeld = lockHeld;
    }

    /** The same news, for a caller that has released the lock again before reporting it. */
    public OwnerDiedException afterRelease() {
        OwnerDiedException released = new OwnerDiedException(file, deadOwnerPid, false);
        released.initCause(this);
        return released;
    }

    /** The file holding the lock. */
    public Path file() {
        return file;
    }

    /** The pid of the process that died holding the lock. */
    public long deadOwnerPid() {
        return deadOwnerPid;
    }

    /** Whether the thread that caught this holds the lock. */
    public boolean lockHeld() {
        return lockHeld;
    }
}
