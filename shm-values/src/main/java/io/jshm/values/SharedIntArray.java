package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;

/**
 * A fixed-length array of {@code int}s shared by threads of any number of processes: an
 * {@code AtomicIntegerArray} that lives in a named file (Python's
 * {@code multiprocessing.Array('i', n)}, with atomic operations per element).
 *
 * <pre>{@code
 * try (SharedIntArray perWorker = SharedIntArray.openOrCreate("per-worker", 8)) {
 *     perWorker.incrementAndGet(workerIndex);
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Each per-index method is atomic on its element, in all processes that opened the file, with
 * the memory ordering of the {@code AtomicIntegerArray} method of the same name. An index outside
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
 * at {@code index * 4}.
 */
public final class SharedIntArray extends SharedObject<SharedIntArray> {
    private static final int SHIFT = 2;

    private final MemorySegment elements;
    private final int length;

    private SharedIntArray(SharedRegion region) {
        super(region);
        this.elements = elements(region, ElementType.INT);
        this.length = length(region);
    }

    /** Creates the array {@code name} of {@code length} zeros in the default directory; fails if it exists. */
    public static SharedIntArray create(String name, int length) {
        return create(ShmFile.of(name), length);
    }

    /**
     * Creates the array with {@code length} zeros.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedIntArray create(ShmFile file, int length) {
        return new SharedIntArray(createArray(file, ElementType.INT, length, body -> { }));
    }

    /**
     * Creates the array holding a copy of {@code initialValues}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedIntArray create(ShmFile file, int[] initialValues) {
        return new SharedIntArray(createArray(file, ElementType.INT, initialValues.length,
                body -> MemorySegment.copy(initialValues, 0, body, ValueLayout.JAVA_INT, ValueDescriptor.ELEMENTS_OFFSET,
                        initialValues.length)));
    }

    /** Opens the existing array {@code name} in the default directory, whatever its length. */
    public static SharedIntArray open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing array, whatever its length.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of ints, naming found and expected
     */
    public static SharedIntArray open(ShmFile file) {
        return new SharedIntArray(openArray(file, ElementType.INT, ANY_LENGTH));
    }

    /**
     * Opens an existing array that must have {@code expectedLength} elements.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of {@code expectedLength} ints, naming found and expected
     */
    public static SharedIntArray open(ShmFile file, int expectedLength) {
        return new SharedIntArray(openArray(file, ElementType.INT, checkedLength(expectedLength)));
    }

    /** Opens the array {@code name} in the default directory, creating it with {@code length} zeros if needed. */
    public static SharedIntArray openOrCreate(String name, int length) {
        return openOrCreate(ShmFile.of(name), length);
    }

    /**
     * Opens the array, or creates it with {@code length} zeros; race-free between processes.
     *
     * @throws io.jshm.core.region.RegionMismatchException if it exists with another length or type
     */
    public static SharedIntArray openOrCreate(ShmFile file, int length) {
        return new SharedIntArray(openOrCreateArray(file, ElementType.INT, length, body -> { }));
    }

    /** The number of elements, fixed at creation. */
    public int length() {
        return length;
    }

    private long offset(int index) {
        return (long) Objects.checkIndex(index, length) << SHIFT;
    }

    /** Element {@code index}, with volatile semantics. */
    public int get(int index) {
        return Words.getIntVolatile(elements, offset(index));
    }

    /** Sets element {@code index}, with volatile semantics. */
    public void set(int index, int newValue) {
        Words.setIntVolatile(elements, offset(index), newValue);
    }

    /** Element {@code index}, with acquire semantics. */
    public int getAcquire(int index) {
        return Words.getIntAcquire(elements, offset(index));
    }

    /** Sets element {@code index} with release semantics. */
    public void setRelease(int index, int newValue) {
        Words.setIntRelease(elements, offset(index), newValue);
    }

    /** Element {@code index}, atomically but with no ordering against other accesses. */
    public int getOpaque(int index) {
        return Words.getIntOpaque(elements, offset(index));
    }

    /** Sets element {@code index} atomically but with no ordering against other accesses. */
    public void setOpaque(int index, int newValue) {
        Words.setIntOpaque(elements, offset(index), newValue);
    }

    /** Element {@code index}, read plainly: only meaningful while holding the lock. */
    public int getPlain(int index) {
        return Words.getInt(elements, offset(index));
    }

    /** Sets element {@code index} plainly: only meaningful while holding the lock. */
    public void setPlain(int index, int newValue) {
        Words.setInt(elements, offset(index), newValue);
    }

    /** Atomically sets element {@code index} and returns its old value. */
    public int getAndSet(int index, int newValue) {
        return Words.getAndSetInt(elements, offset(index), newValue);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the old value. */
    public int getAndAdd(int index, int delta) {
        return Words.getAndAddInt(elements, offset(index), delta);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the new value. */
    public int addAndGet(int index, int delta) {
        return getAndAdd(index, delta) + delta;
    }

    /** Atomically adds 1 to element {@code index}; returns the old value. */
    public int getAndIncrement(int index) {
        return getAndAdd(index, 1);
    }

    /** Atomically subtracts 1 from element {@code index}; returns the old value. */
    public int getAndDecrement(int index) {
        return getAndAdd(index, -1);
    }

    /** Atomically adds 1 to element {@code index}; returns the new value. */
    public int incrementAndGet(int index) {
        return getAndAdd(index, 1) + 1;
    }

    /** Atomically subtracts 1 from element {@code index}; returns the new value. */
    public int decrementAndGet(int index) {
        return getAndAdd(index, -1) - 1;
    }

    /** Atomically sets element {@code index} to {@code newValue} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSet(int index, int expected, int newValue) {
        return Words.compareAndSetInt(elements, offset(index), expected, newValue);
    }

    /** Atomically sets element {@code index} to {@code newValue} if it is {@code expected}; returns the value it found. */
    public int compareAndExchange(int index, int expected, int newValue) {
        return Words.compareAndExchangeInt(elements, offset(index), expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the old value. */
    public int getAndUpdate(int index, IntUnaryOperator update) {
        return Atomics.updateInt(elements, offset(index), update, false);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the new value. */
    public int updateAndGet(int index, IntUnaryOperator update) {
        return Atomics.updateInt(elements, offset(index), update, true);
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the old value. */
    public int getAndAccumulate(int index, int x, IntBinaryOperator accumulator) {
        return getAndUpdate(index, v -> accumulator.applyAsInt(v, x));
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the new value. */
    public int accumulateAndGet(int index, int x, IntBinaryOperator accumulator) {
        return updateAndGet(index, v -> accumulator.applyAsInt(v, x));
    }

    /**
     * Copies {@code count} elements from {@code index} on into {@code destination} from
     * {@code destinationIndex} on. Plain reads: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyTo(int index, int[] destination, int destinationIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(elements, ValueLayout.JAVA_INT, (long) index << SHIFT, destination, destinationIndex, count);
    }

    /**
     * Copies {@code count} elements of {@code source} from {@code sourceIndex} on into this array
     * from {@code index} on. Plain writes: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyFrom(int index, int[] source, int sourceIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(source, sourceIndex, elements, ValueLayout.JAVA_INT, (long) index << SHIFT, count);
    }

    /** A copy of all elements. Plain reads: see the class comment. */
    public int[] toArray() {
        return elements.toArray(ValueLayout.JAVA_INT);
    }

    /** Sets every element to {@code value}, plainly, then issues a full fence. */
    public void fill(int value) {
        for (int i = 0; i < length; i++) {
            Words.setInt(elements, (long) i << SHIFT, value);
        }
        VarHandle.fullFence();
    }

    @Override
    public String toString() {
        return "SharedIntArray[" + file() + ", length " + length + (isOpen() ? "]" : ", closed]");
    }
}
