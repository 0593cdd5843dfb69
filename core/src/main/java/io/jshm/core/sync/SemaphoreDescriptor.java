package io.jshm.core.sync;

/**
 * The layout of a {@link ShmSemaphore} region. Header parameter 0 is the initial number of
 * permits; parameter 1 is {@link #BOUNDED} for a bounded semaphore, {@link #UNBOUNDED}
 * otherwise. The body is one 128-byte line:
 *
 * <pre>
 *  offset  size  field
 *       0     4  permits available now (the futex word), never negative
 *       4     4  threads that may be parked, or about to park, on the permits word
 *       8   120  reserved, zero
 * </pre>
 *
 * Both words are written by every user of the semaphore, acquirers and releasers alike, so they
 * share one line: splitting them would make each hand-off touch two lines instead of one.
 */
public final class SemaphoreDescriptor {
    public static final int PERMITS_OFFSET = 0;
    public static final int WAITERS_OFFSET = 4;

    public static final int INITIAL_PERMITS_PARAMETER = 0;
    public static final int BOUNDED_PARAMETER = 1;
    public static final long UNBOUNDED = 0;
    public static final long BOUNDED = 1;

    /** Bytes of the body. */
    public static final int SIZE = 128;

    private SemaphoreDescriptor() {
    }
}
