package io.jshm.core.region;

/**
 * What a region holds, as recorded in its header. The codes are part of the file format: never
 * renumber one, only add.
 */
public enum RegionKind {
    LOCK(1),
    REENTRANT_LOCK(2),
    SEMAPHORE(3),
    EVENT(4),
    CONDITION(5),
    BARRIER(6),
    VALUE(16),
    ARRAY(17),
    SPSC_QUEUE(32),
    MPMC_QUEUE(33),
    MPSC_QUEUE(34),
    FAN_IN_QUEUE(35),
    /** Free for tests and for experiments outside jshm. */
    TEST(1000);

    private final int code;

    RegionKind(int code) {
        this.code = code;
    }

    /** The code stored in the header. */
    public int code() {
        return code;
    }

    /** The kind with this code, or null if this build knows none. */
    public static RegionKind ofCode(int code) {
        for (RegionKind kind : values()) {
            if (kind.code == code) {
                return kind;
            }
        }
        return null;
    }
}
