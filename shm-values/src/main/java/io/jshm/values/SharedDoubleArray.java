package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A fixed-length array of {@code double}s shared by threads of any number of processes
 * (Python's {@code multiprocessing.Array('d', n)}), with atomic operations per element,
 * addition included.
 *
 * <pre>{@code
 * try (SharedDoubleArray perWorker = SharedDoubleArray.openOrCreate("per-worker", 8)) {
 *     perWorker.addAndGet(workerIndex, 0.5);
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Each per-index method is atomic on its element, in all processes that opened the file, with
 * the memory ordering of the {@code AtomicLongArray} method of the same name; {@code getAndAdd}
 * and the update methods never lose an addition. {@code compareAndSet} compares bit patterns,
 * as {@link SharedDouble} does. An index outside
 * {@code 0..length()-1} throws {@link IndexOutOfBoundsException} naming the index and the
 * length, before any memory is touched. The bulk methods ({@link #copyTo}, {@link #copyFrom},
 * {@link #toArray}, {@link #fill}) are plain copies: no ordering, and no atomicity of the whole
 * (another process may change elements mid-copy); hold {@link #lock()} on both sides for a
 * consistent snapshot.
 *
 * <h2>Implementation notes</h2>
 * Elements are packed in index order from a 128-byte boundary, each naturally aligned
 * ({@link ValueDescriptor}); the lock has the line before them. The class keeps a segment of
 * exactly the elements, so even a bug here could not reach the lock or the padding.
 * Per-index access is {@link Objects#checkIndex} (a JIT intrinsic) and a {@link Words} access
 * at {@code index * 8}; additions are
 * {@code compareAndExchange} loops on the raw bits, as in {@link SharedDouble}.
 */
public final class SharedDoubleArray extends SharedObject<SharedDoubleArray> {
    private static final int SHIFT = 3;

    private final MemorySegment elements;
    private final int length;

    private SharedDoubleArray(SharedRegion region) {
        super(region);
        this.elements = elements(region, ElementType.DOUBLE);
        this.length = length(region);
    }

    /** Creates the array {@code name} of {@code length} zeros in the default directory; fails if it exists. */
    public static SharedDoubleArray create(String name, int length) {
        return create(ShmFile.of(name), length);
    }

    /**
     * Creates the array with {@code length} zeros.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedDoubleArray create(ShmFile file, int length) {
        return new SharedDoubleArray(createArray(file, ElementType.DOUBLE, length, body -> { }));
    }

    /**
     * Creates the array holding a copy of {@code initialValues}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedDoubleArray create(ShmFile file, double[] initialValues) {
        return new SharedDoubleArray(createArray(file, ElementType.DOUBLE, initialValues.length,
                body -> MemorySegment.copy(initialValues, 0, body, ValueLayout.JAVA_DOUBLE, ValueDescriptor.ELEMENTS_OFFSET,
                        initialValues.length)));
    }

    /** Opens the existing array {@code name} in the default directory, whatever its length. */
    public static SharedDoubleArray open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing array, whatever its length.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of doubles, naming found and expected
     */
    public static SharedDoubleArray open(ShmFile file) {
        return new SharedDoubleArray(openArray(file, ElementType.DOUBLE, ANY_LENGTH));
    }

    /**
     * Opens an existing array that must have {@code expectedLength} elements.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of {@code expectedLength} doubles, naming found and expected
     */
    public static SharedDoubleArray open(ShmFile file, int expectedLength) {
        return new SharedDoubleArray(openArray(file, ElementType.DOUBLE, checkedLength(expectedLength)));
    }

    /** Opens the array {@code name} in the default directory, creating it with {@code length} zeros if needed. */
    public static SharedDoubleArray openOrCreate(String name, int length) {
        return openOrCreate(ShmFile.of(name), length);
    }

    /**
     * Opens the array, or creates it with {@code length} zeros; race-free between processes.
     *
     * @throws io.jshm.core.region.RegionMismatchException if it exists with another length or type
     */
    public static SharedDoubleArray openOrCreate(ShmFile file, int length) {
        return new SharedDoubleArray(openOrCreateArray(file, ElementType.DOUBLE, length, body -> { }));
    }

    /** The number of elements, fixed at creation. */
    public int length() {
        return length;
    }

    private long offset(int index) {
        return (long) Objects.checkIndex(index, length) << SHIFT;
    }

    /** Element {@code index}, with volatile semantics. */
    public double get(int index) {
        return Words.getDoubleVolatile(elements, offset(index));
    }

    /** Sets element {@code index}, with volatile semantics. */
    public void set(int index, double newValue) {
        Words.setDoubleVolatile(elements, offset(index), newValue);
    }

    /** Element {@code index}, with acquire semantics. */
    public double getAcquire(int index) {
        return Words.getDoubleAcquire(elements, offset(index));
    }

    /** Sets element {@code index} with release semantics. */
    public void setRelease(int index, double newValue) {
        Words.setDoubleRelease(elements, offset(index), newValue);
    }

    /** Element {@code index}, atomically but with no ordering against other accesses. */
    public double getOpaque(int index) {
        return Words.getDoubleOpaque(elements, offset(index));
    }

    /** Sets element {@code index} atomically but with no ordering against other accesses. */
    public void setOpaque(int index, double newValue) {
        Words.setDoubleOpaque(elements, offset(index), newValue);
    }

    /** Element {@code index}, read plainly: only meaningful while holding the lock. */
    public double getPlain(int index) {
        return Words.getDouble(elements, offset(index));
    }

    /** Sets element {@code index} plainly: only meaningful while holding the lock. */
    public void setPlain(int index, double newValue) {
        Words.setDouble(elements, offset(index), newValue);
    }

    /** Atomically sets element {@code index} and returns its old value. */
    public double getAndSet(int index, double newValue) {
        return Words.getAndSetDouble(elements, offset(index), newValue);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the old value. */
    public double getAndAdd(int index, double delta) {
        return Atomics.getAndAdd(elements, offset(index), delta);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the new value (exactly the value stored). */
    public double addAndGet(int index, double delta) {
        return getAndAdd(index, delta) + delta;
    }

    /** Atomically sets element {@code index} to {@code newValue} if its bits are {@code expected}'s; returns whether it did. */
    public boolean compareAndSet(int index, double expected, double newValue) {
        return Atomics.compareAndSet(elements, offset(index), expected, newValue);
    }

    /** Atomically sets element {@code index} to {@code newValue} if its bits are {@code expected}'s; returns the value it found. */
    public double compareAndExchange(int index, double expected, double newValue) {
        return Atomics.compareAndExchange(elements, offset(index), expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the old value. */
    public double getAndUpdate(int index, DoubleUnaryOperator update) {
        return Atomics.updateDouble(elements, offset(index), update, false);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the new value. */
    public double updateAndGet(int index, DoubleUnaryOperator update) {
        return Atomics.updateDouble(elements, offset(index), update, true);
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the old value. */
    public double getAndAccumulate(int index, double x, DoubleBinaryOperator accumulator) {
        return getAndUpdate(index, v -> accumulator.applyAsDouble(v, x));
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the new value. */
    public double accumulateAndGet(int index, double x, DoubleBinaryOperator accumulator) {
        return updateAndGet(index, v -> accumulator.applyAsDouble(v, x));
    }

    /**
     * Copies {@code count} elements from {@code index} on into {@code destination} from
     * {@code destinationIndex} on. Plain reads: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyTo(int index, double[] destination, int destinationIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(elements, ValueLayout.JAVA_DOUBLE, (long) index << SHIFT, destination, destinationIndex, count);
    }

    /**
     * Copies {@code count} elements of {@code source} from {@code sourceIndex} on into this array
     * from {@code index} on. Plain writes: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyFrom(int index, double[] source, int sourceIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(source, sourceIndex, elements, ValueLayout.JAVA_DOUBLE, (long) index << SHIFT, count);
    }

    /** A copy of all elements. Plain reads: see the class comment. */
    public double[] toArray() {
        return elements.toArray(ValueLayout.JAVA_DOUBLE);
    }

    /** Sets every element to {@code value}, plainly, then issues a full fence. */
    public void fill(double value) {
        for (int i = 0; i < length; i++) {
            Words.setDouble(elements, (long) i << SHIFT, value);
        }
        VarHandle.fullFence();
    }

    @Override
    public String toString() {
        return "SharedDoubleArray[" + file() + ", length " + length + (isOpen() ? "]" : ", closed]");
    }
}
