package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A {@code long} shared by threads of any number of processes: an {@code AtomicLong} that lives
 * in a named file (Python's {@code multiprocessing.Value('q')}, with atomic operations).
 *
 * <pre>{@code
 * try (SharedLong hits = SharedLong.openOrCreate("hits", 0)) {   // in every process
 *     hits.incrementAndGet();                                     // atomic across all of them
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Every method is atomic with respect to every other, in all processes that opened the file,
 * with the memory ordering of the {@code AtomicLong} method of the same name: {@code get}/
 * {@code set} are volatile (sequentially consistent), {@code getAcquire}/{@code setRelease}
 * pair up, {@code getOpaque}/{@code setOpaque} are atomic without ordering, {@code getPlain}/
 * {@code setPlain} are plain (for use under {@link #lock()} only). Read-modify-write methods are
 * single atomic instructions ({@code getAndAdd} is one {@code LOCK XADD} on x86), never a
 * lock. {@code set(get() + 1)} is not atomic: two processes can read the same value and one
 * update is lost; use {@link #incrementAndGet()}, or {@link #withLock} around compound updates.
 *
 * <h2>Implementation notes</h2>
 * The value is 8 naturally aligned bytes alone on a 128-byte line, after the object's lock line
 * ({@link ValueDescriptor}). Every access goes through {@link Words} (an exact-typed {@code VarHandle}
 * call) on the mapped segment at a constant offset, which the JIT turns
 * into the bare instruction plus the segment's bounds and liveness checks (hoisted out of loops).
 * {@code getAndUpdate} and friends are {@code compareAndExchange} loops that retry with the
 * witness value ({@code Atomics}); the function may run more than once and must be free of
 * side effects.
 */
public final class SharedLong extends SharedObject<SharedLong> {
    private static final long VALUE = ValueDescriptor.VALUE_OFFSET;

    private SharedLong(SharedRegion region) {
        super(region);
    }

    /** Creates the value {@code name} in the default directory; fails if it exists. */
    public static SharedLong create(String name, long initialValue) {
        return create(ShmFile.of(name), initialValue);
    }

    /**
     * Creates the value with {@code initialValue}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedLong create(ShmFile file, long initialValue) {
        return new SharedLong(createValue(file, ElementType.LONG, body -> body.set(ValueLayout.JAVA_LONG, VALUE, initialValue)));
    }

    /** Opens the existing value {@code name} in the default directory. */
    public static SharedLong open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing value.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else
     *         than a single long (an array, an int, ...), naming found and expected
     * @throws io.jshm.core.region.RegionNotFoundException if there is no such file
     */
    public static SharedLong open(ShmFile file) {
        return new SharedLong(openValue(file, ElementType.LONG));
    }

    /** Opens the value {@code name} in the default directory, creating it with {@code initialValue} if needed. */
    public static SharedLong openOrCreate(String name, long initialValue) {
        return openOrCreate(ShmFile.of(name), initialValue);
    }

    /**
     * Opens the value, or creates it with {@code initialValue}; race-free between processes
     * (exactly one creates). {@link #wasCreated()} tells which happened.
     */
    public static SharedLong openOrCreate(ShmFile file, long initialValue) {
        return new SharedLong(openOrCreateValue(file, ElementType.LONG, body -> body.set(ValueLayout.JAVA_LONG, VALUE, initialValue)));
    }

    /** The value, with volatile semantics. */
    public long get() {
        return Words.getLongVolatile(body, VALUE);
    }

    /** Sets the value, with volatile semantics. */
    public void set(long newValue) {
        Words.setLongVolatile(body, VALUE, newValue);
    }

    /** The value, with acquire semantics: later reads and writes stay after it. */
    public long getAcquire() {
        return Words.getLongAcquire(body, VALUE);
    }

    /** Sets the value with release semantics: earlier reads and writes stay before it. */
    public void setRelease(long newValue) {
        Words.setLongRelease(body, VALUE, newValue);
    }

    /** The value, atomically but with no ordering against other accesses. */
    public long getOpaque() {
        return Words.getLongOpaque(body, VALUE);
    }

    /** Sets the value atomically but with no ordering against other accesses. */
    public void setOpaque(long newValue) {
        Words.setLongOpaque(body, VALUE, newValue);
    }

    /** The value, read plainly: only meaningful while holding the lock. */
    public long getPlain() {
        return Words.getLong(body, VALUE);
    }

    /** Sets the value plainly: only meaningful while holding the lock. */
    public void setPlain(long newValue) {
        Words.setLong(body, VALUE, newValue);
    }

    /** Atomically sets the value and returns the old one. */
    public long getAndSet(long newValue) {
        return Words.getAndSetLong(body, VALUE, newValue);
    }

    /** Atomically adds {@code delta}; returns the old value. */
    public long getAndAdd(long delta) {
        return Words.getAndAddLong(body, VALUE, delta);
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public long addAndGet(long delta) {
        return Words.getAndAddLong(body, VALUE, delta) + delta;
    }

    /** Atomically adds 1; returns the old value. */
    public long getAndIncrement() {
        return getAndAdd(1);
    }

    /** Atomically subtracts 1; returns the old value. */
    public long getAndDecrement() {
        return getAndAdd(-1);
    }

    /** Atomically adds 1; returns the new value. */
    public long incrementAndGet() {
        return getAndAdd(1) + 1;
    }

    /** Atomically subtracts 1; returns the new value. */
    public long decrementAndGet() {
        return getAndAdd(-1) - 1;
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSet(long expected, long newValue) {
        return Words.compareAndSetLong(body, VALUE, expected, newValue);
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expected}; returns the value it found. */
    public long compareAndExchange(long expected, long newValue) {
        return Words.compareAndExchangeLong(body, VALUE, expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the old value. */
    public long getAndUpdate(LongUnaryOperator update) {
        return Atomics.updateLong(body, VALUE, update, false);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the new value. */
    public long updateAndGet(LongUnaryOperator update) {
        return Atomics.updateLong(body, VALUE, update, true);
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the old value. */
    public long getAndAccumulate(long x, LongBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsLong(v, x));
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the new value. */
    public long accumulateAndGet(long x, LongBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsLong(v, x));
    }

    @Override
    public String toString() {
        return isOpen() ? Long.toString(get()) : "SharedLong[" + file() + ", closed]";
    }
}
