package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * An {@code int} shared by threads of any number of processes: an {@code AtomicInteger} that lives
 * in a named file (Python's {@code multiprocessing.Value('i')}, with atomic operations).
 *
 * <pre>{@code
 * try (SharedInt hits = SharedInt.openOrCreate("hits", 0)) {   // in every process
 *     hits.incrementAndGet();                                     // atomic across all of them
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Every method is atomic with respect to every other, in all processes that opened the file,
 * with the memory ordering of the {@code AtomicInteger} method of the same name: {@code get}/
 * {@code set} are volatile (sequentially consistent), {@code getAcquire}/{@code setRelease}
 * pair up, {@code getOpaque}/{@code setOpaque} are atomic without ordering, {@code getPlain}/
 * {@code setPlain} are plain (for use under {@link #lock()} only). Read-modify-write methods are
 * single atomic instructions ({@code getAndAdd} is one {@code LOCK XADD} on x86), never a
 * lock. {@code set(get() + 1)} is not atomic: two processes can read the same value and one
 * update is lost; use {@link #incrementAndGet()}, or {@link #withLock} around compound updates.
 *
 * <h2>Implementation notes</h2>
 * The value is 4 naturally aligned bytes alone on a 128-byte line, after the object's lock line
 * ({@link ValueDescriptor}). Every access goes through {@link Words} (an exact-typed {@code VarHandle}
 * call) on the mapped segment at a constant offset, which the JIT turns
 * into the bare instruction plus the segment's bounds and liveness checks (hoisted out of loops).
 * {@code getAndUpdate} and friends are {@code compareAndExchange} loops that retry with the
 * witness value ({@code Atomics}); the function may run more than once and must be free of
 * side effects.
 */
public final class SharedInt extends SharedObject<SharedInt> {
    private static final long VALUE = ValueDescriptor.VALUE_OFFSET;

    private SharedInt(SharedRegion region) {
        super(region);
    }

    /** Creates the value {@code name} in the default directory; fails if it exists. */
    public static SharedInt create(String name, int initialValue) {
        return create(ShmFile.of(name), initialValue);
    }

    /**
     * Creates the value with {@code initialValue}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedInt create(ShmFile file, int initialValue) {
        return new SharedInt(createValue(file, ElementType.INT, body -> body.set(ValueLayout.JAVA_INT, VALUE, initialValue)));
    }

    /** Opens the existing value {@code name} in the default directory. */
    public static SharedInt open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing value.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else
     *         than a single int (an array, a long, ...), naming found and expected
     * @throws io.jshm.core.region.RegionNotFoundException if there is no such file
     */
    public static SharedInt open(ShmFile file) {
        return new SharedInt(openValue(file, ElementType.INT));
    }

    /** Opens the value {@code name} in the default directory, creating it with {@code initialValue} if needed. */
    public static SharedInt openOrCreate(String name, int initialValue) {
        return openOrCreate(ShmFile.of(name), initialValue);
    }

    /**
     * Opens the value, or creates it with {@code initialValue}; race-free between processes
     * (exactly one creates). {@link #wasCreated()} tells which happened.
     */
    public static SharedInt openOrCreate(ShmFile file, int initialValue) {
        return new SharedInt(openOrCreateValue(file, ElementType.INT, body -> body.set(ValueLayout.JAVA_INT, VALUE, initialValue)));
    }

    /** The value, with volatile semantics. */
    public int get() {
        return Words.getIntVolatile(body, VALUE);
    }

    /** Sets the value, with volatile semantics. */
    public void set(int newValue) {
        Words.setIntVolatile(body, VALUE, newValue);
    }

    /** The value, with acquire semantics: later reads and writes stay after it. */
    public int getAcquire() {
        return Words.getIntAcquire(body, VALUE);
    }

    /** Sets the value with release semantics: earlier reads and writes stay before it. */
    public void setRelease(int newValue) {
        Words.setIntRelease(body, VALUE, newValue);
    }

    /** The value, atomically but with no ordering against other accesses. */
    public int getOpaque() {
        return Words.getIntOpaque(body, VALUE);
    }

    /** Sets the value atomically but with no ordering against other accesses. */
    public void setOpaque(int newValue) {
        Words.setIntOpaque(body, VALUE, newValue);
    }

    /** The value, read plainly: only meaningful while holding the lock. */
    public int getPlain() {
        return Words.getInt(body, VALUE);
    }

    /** Sets the value plainly: only meaningful while holding the lock. */
    public void setPlain(int newValue) {
        Words.setInt(body, VALUE, newValue);
    }

    /** Atomically sets the value and returns the old one. */
    public int getAndSet(int newValue) {
        return Words.getAndSetInt(body, VALUE, newValue);
    }

    /** Atomically adds {@code delta}; returns the old value. */
    public int getAndAdd(int delta) {
        return Words.getAndAddInt(body, VALUE, delta);
    }

    /** Atomically adds {@code delta}; returns the new value. */
    public int addAndGet(int delta) {
        return Words.getAndAddInt(body, VALUE, delta) + delta;
    }

    /** Atomically adds 1; returns the old value. */
    public int getAndIncrement() {
        return getAndAdd(1);
    }

    /** Atomically subtracts 1; returns the old value. */
    public int getAndDecrement() {
        return getAndAdd(-1);
    }

    /** Atomically adds 1; returns the new value. */
    public int incrementAndGet() {
        return getAndAdd(1) + 1;
    }

    /** Atomically subtracts 1; returns the new value. */
    public int decrementAndGet() {
        return getAndAdd(-1) - 1;
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSet(int expected, int newValue) {
        return Words.compareAndSetInt(body, VALUE, expected, newValue);
    }

    /** Atomically sets the value to {@code newValue} if it is {@code expected}; returns the value it found. */
    public int compareAndExchange(int expected, int newValue) {
        return Words.compareAndExchangeInt(body, VALUE, expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the old value. */
    public int getAndUpdate(IntUnaryOperator update) {
        return Atomics.updateInt(body, VALUE, update, false);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the new value. */
    public int updateAndGet(IntUnaryOperator update) {
        return Atomics.updateInt(body, VALUE, update, true);
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the old value. */
    public int getAndAccumulate(int x, IntBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsInt(v, x));
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the new value. */
    public int accumulateAndGet(int x, IntBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsInt(v, x));
    }

    @Override
    public String toString() {
        return isOpen() ? Integer.toString(get()) : "SharedInt[" + file() + ", closed]";
    }
}
