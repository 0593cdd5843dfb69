package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@code double} shared by threads of any number of processes (Python's
 * {@code multiprocessing.Value('d')}), with atomic addition, which the JDK has no
 * {@code AtomicDouble} for.
 *
 * <pre>{@code
 * try (SharedDouble total = SharedDouble.openOrCreate("total", 0.0)) {
 *     total.addAndGet(0.5);   // atomic across all processes
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Every method is atomic with respect to every other, in all processes that opened the file;
 * {@code get}/{@code set} are volatile, {@code getAcquire}/{@code setRelease} pair up,
 * {@code getOpaque}/{@code setOpaque} are atomic without ordering, {@code getPlain}/
 * {@code setPlain} are plain (for use under {@link #lock()} only). {@code getAndAdd} and the
 * update methods are read-modify-write atomic: no addition is ever lost, whatever the number of
 * processes. {@code compareAndSet} and {@code compareAndExchange} compare bit patterns
 * ({@code Double.doubleToRawLongBits}), so {@code 0.0} does not match {@code -0.0} and a NaN
 * matches a NaN with the same bits.
 *
 * <h2>Implementation notes</h2>
 * The value is 8 naturally aligned bytes alone on a 128-byte line, after the object's lock line
 * ({@link ValueDescriptor}). Loads and stores go through {@link Words} (exact-typed
 * {@code VarHandle} calls). Hardware has no atomic floating-point add, so
 * {@code getAndAdd} is a loop: read the raw bits, add, {@code compareAndExchange} the bits
 * (as a long), and retry with the witness on failure. Comparing bits, not doubles, is what
 * makes the loop terminate on NaN. Under contention it retries, but every retry means another
 * process's addition succeeded: it is lock-free.
 */
public final class SharedDouble extends SharedObject<SharedDouble> {
    private static final long VALUE = ValueDescriptor.VALUE_OFFSET;

    private SharedDouble(SharedRegion region) {
        super(region);
    }

    /** Creates the value {@code name} in the default directory; fails if it exists. */
    public static SharedDouble create(String name, double initialValue) {
        return create(ShmFile.of(name), initialValue);
    }

    /**
     * Creates the value with {@code initialValue}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedDouble create(ShmFile file, double initialValue) {
        return new SharedDouble(createValue(file, ElementType.DOUBLE, body -> body.set(ValueLayout.JAVA_DOUBLE, VALUE, initialValue)));
    }

    /** Opens the existing value {@code name} in the default directory. */
    public static SharedDouble open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing value.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else
     *         than a single double (an array, a long, ...), naming found and expected
     * @throws io.jshm.core.region.RegionNotFoundException if there is no such file
     */
    public static SharedDouble open(ShmFile file) {
        return new SharedDouble(openValue(file, ElementType.DOUBLE));
    }

    /** Opens the value {@code name} in the default directory, creating it with {@code initialValue} if needed. */
    public static SharedDouble openOrCreate(String name, double initialValue) {
        return openOrCreate(ShmFile.of(name), initialValue);
    }

    /**
     * Opens the value, or creates it with {@code initialValue}; race-free between processes
     * (exactly one creates). {@link #wasCreated()} tells which happened.
     */
    public static SharedDouble openOrCreate(ShmFile file, double initialValue) {
        return new SharedDouble(openOrCreateValue(file, ElementType.DOUBLE,
                body -> body.set(ValueLayout.JAVA_DOUBLE, VALUE, initialValue)));
    }

    /** The value, with volatile semantics. */
    public double get() {
        return Words.getDoubleVolatile(body, VALUE);
    }

    /** Sets the value, with volatile semantics. */
    public void set(double newValue) {
        Words.setDoubleVolatile(body, VALUE, newValue);
    }

    /** The value, with acquire semantics: later reads and writes stay after it. */
    public double getAcquire() {
        return Words.getDoubleAcquire(body, VALUE);
    }

    /** Sets the value with release semantics: earlier reads and writes stay before it. */
    public void setRelease(double newValue) {
        Words.setDoubleRelease(body, VALUE, newValue);
    }

    /** The value, atomically but with no ordering against other accesses. */
    public double getOpaque() {
        return Words.getDoubleOpaque(body, VALUE);
    }

    /** Sets the value atomically but with no ordering against other accesses. */
    public void setOpaque(double newValue) {
        Words.setDoubleOpaque(body, VALUE, newValue);
    }

    /** The value, read plainly: only meaningful while holding the lock. */
    public double getPlain() {
        return Words.getDouble(body, VALUE);
    }

    /** Sets the value plainly: only meaningful while holding the lock. */
    public void setPlain(double newValue) {
        Words.setDouble(body, VALUE, newValue);
    }

    /** Atomically sets the value and returns the old one. */
    public double getAndSet(double newValue) {
        return Words.getAndSetDouble(body, VALUE, newValue);
    }

    /** Atomically adds {@code delta}; returns the old value. */
    public double getAndAdd(double delta) {
        return Atomics.getAndAdd(body, VALUE, delta);
    }

    /** Atomically adds {@code delta}; returns the new value (exactly the value stored). */
    public double addAndGet(double delta) {
        return Atomics.getAndAdd(body, VALUE, delta) + delta;
    }

    /** Atomically sets the value to {@code newValue} if its bits are {@code expected}'s; returns whether it did. */
    public boolean compareAndSet(double expected, double newValue) {
        return Atomics.compareAndSet(body, VALUE, expected, newValue);
    }

    /** Atomically sets the value to {@code newValue} if its bits are {@code expected}'s; returns the value it found. */
    public double compareAndExchange(double expected, double newValue) {
        return Atomics.compareAndExchange(body, VALUE, expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the old value. */
    public double getAndUpdate(DoubleUnaryOperator update) {
        return Atomics.updateDouble(body, VALUE, update, false);
    }

    /** Atomically applies {@code update} (which may run more than once); returns the new value. */
    public double updateAndGet(DoubleUnaryOperator update) {
        return Atomics.updateDouble(body, VALUE, update, true);
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the old value. */
    public double getAndAccumulate(double x, DoubleBinaryOperator accumulator) {
        return getAndUpdate(v -> accumulator.applyAsDouble(v, x));
    }

    /** Atomically replaces the value with {@code accumulator(value, x)}; returns the new value. */
    public double accumulateAndGet(double x, DoubleBinaryOperator accumulator) {
        return updateAndGet(v -> accumulator.applyAsDouble(v, x));
    }

    @Override
    public String toString() {
        return isOpen() ? Double.toString(get()) : "SharedDouble[" + file() + ", closed]";
    }
}
