package io.jshm.core.sync;

import java.nio.file.Path;

/**
 * The previous owner of a lock died holding it, and the lock now belongs to the caller, as
 * {@code EOWNERDEAD} tells a robust pthread mutex's next owner. The lock is held when this is
 * thrown: repair or discard whatever it guards, then unlock as usual.
 */
public final class OwnerDiedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long deadOwnerPid;

    public OwnerDiedException(Path file, long deadOwnerPid) {
        super("the previous owner of the lock in " + file + " (pid " + deadOwnerPid
                + ") died holding it; this thread now holds it, and what it guards may be inconsistent");
        this.file = file;
        this.deadOwnerPid = deadOwnerPid;
    }

    /** The file holding the lock. */
    public Path file() {
        return file;
    }

    /** The pid of the process that died holding the lock. */
    public long deadOwnerPid() {
        return deadOwnerPid;
    }
}
