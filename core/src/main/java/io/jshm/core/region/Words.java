package io.jshm.core.region;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Plain, opaque, acquire/release, volatile and atomic access to the {@code int}, {@code long}
 * and {@code double} words of a memory segment, at a byte offset: every ordered or atomic access
 * jshm makes to a shared word goes through here (plain {@code MemorySegment.get/set} with a
 * {@code ValueLayout} serves words nobody else touches at that moment, such as a file being
 * initialized). The memory-ordering meaning of each method is that of the
 * {@link VarHandle} access mode it names; across processes it holds as it does across threads
 * (the mapping is the same physical memory), and the hardware makes word-aligned accesses
 * single-copy atomic. Offsets must be aligned to the word size, inside the segment; otherwise
 * the call throws ({@link IllegalArgumentException} for alignment,
 * {@link IndexOutOfBoundsException} for bounds), it never touches memory outside.
 *
 * <h2>Implementation notes</h2>
 * A {@code VarHandle} is signature-polymorphic: {@code javac} types each call site from its
 * arguments and its cast, and when that type is not exactly the handle's own (an {@code int}
 * offset where the handle takes a {@code long}, a result cast to another type or dropped), the
 * call is adapted at run time through {@code asType} and a cached method handle that the JIT
 * cannot inline. Measured in {@code CrossJvmQueueThroughput}, an {@code int} offset constant made
 * a queue's send 3 to 7 times slower. The handles here are created
 * {@linkplain VarHandle#withInvokeExactBehavior() exact}, so a mistyped call throws
 * {@link java.lang.invoke.WrongMethodTypeException} instead of running slowly, and each is called
 * only from a method whose Java signature fixes the exact type; callers get ordinary static
 * typing (an {@code int} offset widens before the call, a result may be ignored).
 */
public final class Words {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();
    private static final VarHandle DOUBLE = ValueLayout.JAVA_DOUBLE.varHandle().withInvokeExactBehavior();

    private Words() {
    }

    // ---------------------------------------------------------------- int

    public static int getInt(MemorySegment segment, long offset) {
        return (int) INT.get(segment, offset);
    }

    public static int getIntOpaque(MemorySegment segment, long offset) {
        return (int) INT.getOpaque(segment, offset);
    }

    public static int getIntAcquire(MemorySegment segment, long offset) {
        return (int) INT.getAcquire(segment, offset);
    }

    public static int getIntVolatile(MemorySegment segment, long offset) {
        return (int) INT.getVolatile(segment, offset);
    }

    public static void setInt(MemorySegment segment, long offset, int value) {
        INT.set(segment, offset, value);
    }

    public static void setIntOpaque(MemorySegment segment, long offset, int value) {
        INT.setOpaque(segment, offset, value);
    }

    public static void setIntRelease(MemorySegment segment, long offset, int value) {
        INT.setRelease(segment, offset, value);
    }

    public static void setIntVolatile(MemorySegment segment, long offset, int value) {
        INT.setVolatile(segment, offset, value);
    }

    public static boolean compareAndSetInt(MemorySegment segment, long offset, int expected, int value) {
        return (boolean) INT.compareAndSet(segment, offset, expected, value);
    }

    /** The value found (the witness): {@code expected} if and only if the exchange happened. */
    public static int compareAndExchangeInt(MemorySegment segment, long offset, int expected, int value) {
        return (int) INT.compareAndExchange(segment, offset, expected, value);
    }

    /** Adds atomically; returns the value before. */
    public static int getAndAddInt(MemorySegment segment, long offset, int delta) {
        return (int) INT.getAndAdd(segment, offset, delta);
    }

    public static int getAndSetInt(MemorySegment segment, long offset, int value) {
        return (int) INT.getAndSet(segment, offset, value);
    }

    // ---------------------------------------------------------------- long

    public static long getLong(MemorySegment segment, long offset) {
        return (long) LONG.get(segment, offset);
    }

    public static long getLongOpaque(MemorySegment segment, long offset) {
        return (long) LONG.getOpaque(segment, offset);
    }

    public static long getLongAcquire(MemorySegment segment, long offset) {
        return (long) LONG.getAcquire(segment, offset);
    }

    public static long getLongVolatile(MemorySegment segment, long offset) {
        return (long) LONG.getVolatile(segment, offset);
    }

    public static void setLong(MemorySegment segment, long offset, long value) {
        LONG.set(segment, offset, value);
    }

    public static void setLongOpaque(MemorySegment segment, long offset, long value) {
        LONG.setOpaque(segment, offset, value);
    }

    public static void setLongRelease(MemorySegment segment, long offset, long value) {
        LONG.setRelease(segment, offset, value);
    }

    public static void setLongVolatile(MemorySegment segment, long offset, long value) {
        LONG.setVolatile(segment, offset, value);
    }

    public static boolean compareAndSetLong(MemorySegment segment, long offset, long expected, long value) {
        return (boolean) LONG.compareAndSet(segment, offset, expected, value);
    }

    /** The value found (the witness): {@code expected} if and only if the exchange happened. */
    public static long compareAndExchangeLong(MemorySegment segment, long offset, long expected, long value) {
        return (long) LONG.compareAndExchange(segment, offset, expected, value);
    }

    /** Adds atomically; returns the value before. */
    public static long getAndAddLong(MemorySegment segment, long offset, long delta) {
        return (long) LONG.getAndAdd(segment, offset, delta);
    }

    public static long getAndSetLong(MemorySegment segment, long offset, long value) {
        return (long) LONG.getAndSet(segment, offset, value);
    }

    // ---------------------------------------------------------------- double

    public static double getDouble(MemorySegment segment, long offset) {
        return (double) DOUBLE.get(segment, offset);
    }

    public static double getDoubleOpaque(MemorySegment segment, long offset) {
        return (double) DOUBLE.getOpaque(segment, offset);
    }

    public static double getDoubleAcquire(MemorySegment segment, long offset) {
        return (double) DOUBLE.getAcquire(segment, offset);
    }

    public static double getDoubleVolatile(MemorySegment segment, long offset) {
        return (double) DOUBLE.getVolatile(segment, offset);
    }

    public static void setDouble(MemorySegment segment, long offset, double value) {
        DOUBLE.set(segment, offset, value);
    }

    public static void setDoubleOpaque(MemorySegment segment, long offset, double value) {
        DOUBLE.setOpaque(segment, offset, value);
    }

    public static void setDoubleRelease(MemorySegment segment, long offset, double value) {
        DOUBLE.setRelease(segment, offset, value);
    }

    public static void setDoubleVolatile(MemorySegment segment, long offset, double value) {
        DOUBLE.setVolatile(segment, offset, value);
    }

    public static double getAndSetDouble(MemorySegment segment, long offset, double value) {
        return (double) DOUBLE.getAndSet(segment, offset, value);
    }
}
