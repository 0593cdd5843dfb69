package io.jshm.values;

import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * The read-modify-write loops the values and arrays share, on a word at {@code offset} of a
 * segment. Each is a {@code compareAndExchange} loop that retries with the witness value, so a
 * failed attempt costs no extra read; the function may run more than once. Doubles are updated
 * through their raw bits, so a CAS compares bit patterns ({@code -0.0 != 0.0}, a NaN equals
 * itself), never {@code ==} on doubles, which could loop forever on NaN.
 */
final class Atomics {

    private Atomics() {
    }

    /** Applies {@code update} atomically; returns the new value if {@code returnNew}, else the old one. */
    static int updateInt(MemorySegment segment, long offset, IntUnaryOperator update, boolean returnNew) {
        int prev = Words.getIntVolatile(segment, offset);
        for (;;) {
            int next = update.applyAsInt(prev);
            int witness = Words.compareAndExchangeInt(segment, offset, prev, next);
            if (witness == prev) {
                return returnNew ? next : prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} atomically; returns the new value if {@code returnNew}, else the old one. */
    static long updateLong(MemorySegment segment, long offset, LongUnaryOperator update, boolean returnNew) {
        long prev = Words.getLongVolatile(segment, offset);
        for (;;) {
            long next = update.applyAsLong(prev);
            long witness = Words.compareAndExchangeLong(segment, offset, prev, next);
            if (witness == prev) {
                return returnNew ? next : prev;
            }
            prev = witness;
        }
    }

    /** Applies {@code update} to a double atomically; returns the new value if {@code returnNew}, else the old one. */
    static double updateDouble(MemorySegment segment, long offset, DoubleUnaryOperator update, boolean returnNew) {
        long prev = Words.getLongVolatile(segment, offset);
        for (;;) {
            long next = Double.doubleToRawLongBits(update.applyAsDouble(Double.longBitsToDouble(prev)));
            long witness = Words.compareAndExchangeLong(segment, offset, prev, next);
            if (witness == prev) {
                return Double.longBitsToDouble(returnNew ? next : prev);
            }
            prev = witness;
        }
    }

    /** Adds {@code delta} to a double atomically; returns the old value. Written out: no lambda on the hot path. */
    static double getAndAdd(MemorySegment segment, long offset, double delta) {
        long prev = Words.getLongVolatile(segment, offset);
        for (;;) {
            long next = Double.doubleToRawLongBits(Double.longBitsToDouble(prev) + delta);
            long witness = Words.compareAndExchangeLong(segment, offset, prev, next);
            if (witness == prev) {
                return Double.longBitsToDouble(prev);
            }
            prev = witness;
        }
    }

    /** Sets a double to {@code newValue} if its bits are {@code expected}'s; returns the value found. */
    static double compareAndExchange(MemorySegment segment, long offset, double expected, double newValue) {
        return Double.longBitsToDouble(Words.compareAndExchangeLong(segment, offset,
                Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(newValue)));
    }

    /** Sets a double to {@code newValue} if its bits are {@code expected}'s; returns whether it did. */
    static boolean compareAndSet(MemorySegment segment, long offset, double expected, double newValue) {
        return Words.compareAndSetLong(segment, offset, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(newValue));
    }
}
