package io.jshm.core.region;

/**
 * The binary layout of the header every jshm region file starts with. All offsets are from the
 * start of the file; all values are little-endian (the native order of every platform jshm
 * runs on).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+  0
 *  |                  Magic "jshm-rgn" (8 bytes)                   |
 *  +-------------------------------+-------------------------------+  8
 *  |        Format version         |          Kind code            |
 *  +-------------------------------+-------------------------------+ 16
 *  |                 Total size of the file in bytes               |
 *  +-------------------------------+-------------------------------+ 24
 *  |    Header size (body offset)  |            Reserved           |
 *  +-------------------------------+-------------------------------+ 32
 *  |            Parameter 0 (meaning set by the kind)              |
 *  +---------------------------------------------------------------+ 40
 *  |            Parameter 1 (meaning set by the kind)              |
 *  +---------------------------------------------------------------+ 48
 *  |            Parameter 2 (meaning set by the kind)              |
 *  +---------------------------------------------------------------+ 56
 *  |                         Creator pid                           |
 *  +---------------------------------------------------------------+ 64
 *  |         Creator start time (clock ticks since boot)           |
 *  +---------------------------------------------------------------+ 72
 *  |                Creation time (epoch milliseconds)             |
 *  +---------------------------------------------------------------+ 80
 *  |        Creator's pid namespace (inode of /proc/self/ns/pid)   |
 *  +---------------------------------------------------------------+ 88 .. 127 reserved, zero
 *  |                    Init state (own cache line)                |128
 *  +---------------------------------------------------------------+ 132 .. 255 reserved, zero
 *  |                  Body: the object's own layout                |256
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Everything but the init state is written once, before the file gets its name, and never
 * changes. The pid namespace is there because locks and queues name processes by pid: a
 * process in another pid namespace (another container sharing {@code /dev/shm}) would read
 * those pids as other processes', or as dead ones, so {@code open} refuses it. The body starts on a 128-byte boundary, so that a body that puts each hot word on its
 * own 128-byte line keeps it there.
 */
public final class RegionDescriptor {
    /** "jshm-rgn" in ASCII, read as a little-endian long. */
    public static final long MAGIC = 0x6E67722D6D68736AL;
    /** The one format version this build reads and writes. */
    public static final int FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 8;
    public static final int KIND_OFFSET = 12;
    public static final int TOTAL_SIZE_OFFSET = 16;
    public static final int HEADER_SIZE_OFFSET = 24;
    public static final int PARAMETER_0_OFFSET = 32;
    public static final int PARAMETER_COUNT = 3;
    public static final int CREATOR_PID_OFFSET = 56;
    public static final int CREATOR_START_TIME_OFFSET = 64;
    public static final int CREATED_MILLIS_OFFSET = 72;
    public static final int PID_NAMESPACE_OFFSET = 80;
    public static final int INIT_STATE_OFFSET = 128;

    /** The size of the header, which is also the offset of the body. */
    public static final int HEADER_SIZE = 256;

    /** The lines between processes: hot words written by different processes go on separate ones. */
    public static final int CACHE_LINE = 128;

    /** Init state while the creator writes the file. */
    public static final int STATE_INITIALIZING = 0;
    /** Init state once the creator published the whole file with a release store. */
    public static final int STATE_READY = 1;

    private RegionDescriptor() {
    }

    /** The offset of parameter {@code index} (0, 1 or 2). */
    public static int parameterOffset(int index) {
        if (index < 0 || index >= PARAMETER_COUNT) {
            throw new IndexOutOfBoundsException("parameter index " + index + " out of 0.." + (PARAMETER_COUNT - 1));
        }
        return PARAMETER_0_OFFSET + Long.BYTES * index;
    }

    /** {@code value} rounded up to a multiple of {@link #CACHE_LINE}. */
    public static long alignToCacheLine(long value) {
        return (value + CACHE_LINE - 1) & -CACHE_LINE;
    }
}
