package io.jshm.core.sync;

import java.time.Duration;

/**
 * A point in {@link System#nanoTime()} time by which a wait must end, or never. Saturates
 * instead of overflowing, so {@code Duration.ofDays(100_000)} simply means "without bound".
 */
public final class Deadline {
    /** A deadline that never passes. */
    public static final Deadline NEVER = new Deadline(0, true);

    private final long nanoTime;
    private final boolean never;

    private Deadline(long nanoTime, boolean never) {
        this.nanoTime = nanoTime;
        this.never = never;
    }

    /** The deadline {@code timeout} from now; a negative timeout is already past. */
    public static Deadline after(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? new Deadline(System.nanoTime(), false) : NEVER;
        }
        return afterNanos(nanos);
    }

    /** The deadline {@code nanos} from now; {@link Long#MAX_VALUE} never passes. */
    public static Deadline afterNanos(long nanos) {
        if (nanos == Long.MAX_VALUE) {
            return NEVER;
        }
        long now = System.nanoTime();
        long at = now + Math.max(0, nanos);
        return at < now ? NEVER : new Deadline(at, false);
    }

    /** Nanoseconds left, at most 0 once passed; {@link Long#MAX_VALUE} for {@link #NEVER}. */
    public long remainingNanos() {
        return never ? Long.MAX_VALUE : nanoTime - System.nanoTime();
    }

    /** Whether the deadline has passed. */
    public boolean hasPassed() {
        return !never && nanoTime - System.nanoTime() <= 0;
    }

    @Override
    public String toString() {
        return never ? "Deadline[never]" : "Deadline[in " + remainingNanos() + " ns]";
    }
}
