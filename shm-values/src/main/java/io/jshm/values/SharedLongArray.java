package io.jshm.values;

import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * A fixed-length array of {@code long}s shared by threads of any number of processes: an
 * {@code AtomicLongArray} that lives in a named file (Python's
 * {@code multiprocessing.Array('q', n)}, with atomic operations per element).
 *
 * <pre>{@code
 * try (SharedLongArray perWorker = SharedLongArray.openOrCreate("per-worker", 8)) {
 *     perWorker.incrementAndGet(workerIndex);
 * }
 * }</pre>
 *
 * <h2>Guarantees across threads and processes</h2>
 * Each per-index method is atomic on its element, in all processes that opened the file, with
 * the memory ordering of the {@code AtomicLongArray} method of the same name. An index outside
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
 * at {@code index * 8}.
 */
public final class SharedLongArray extends SharedObject<SharedLongArray> {
    private static final int SHIFT = 3;

    private final MemorySegment elements;
    private final int length;

    private SharedLongArray(SharedRegion region) {
        super(region);
        this.elements = elements(region, ElementType.LONG);
        this.length = length(region);
    }

    /** Creates the array {@code name} of {@code length} zeros in the default directory; fails if it exists. */
    public static SharedLongArray create(String name, int length) {
        return create(ShmFile.of(name), length);
    }

    /**
     * Creates the array with {@code length} zeros.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedLongArray create(ShmFile file, int length) {
        return new SharedLongArray(createArray(file, ElementType.LONG, length, body -> { }));
    }

    /**
     * Creates the array holding a copy of {@code initialValues}, visible to others only once written.
     *
     * @throws io.jshm.core.region.RegionExistsException if the file exists
     */
    public static SharedLongArray create(ShmFile file, long[] initialValues) {
        return new SharedLongArray(createArray(file, ElementType.LONG, initialValues.length,
                body -> MemorySegment.copy(initialValues, 0, body, ValueLayout.JAVA_LONG, ValueDescriptor.ELEMENTS_OFFSET,
                        initialValues.length)));
    }

    /** Opens the existing array {@code name} in the default directory, whatever its length. */
    public static SharedLongArray open(String name) {
        return open(ShmFile.of(name));
    }

    /**
     * Opens an existing array, whatever its length.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of longs, naming found and expected
     */
    public static SharedLongArray open(ShmFile file) {
        return new SharedLongArray(openArray(file, ElementType.LONG, ANY_LENGTH));
    }

    /**
     * Opens an existing array that must have {@code expectedLength} elements.
     *
     * @throws io.jshm.core.region.RegionMismatchException if the file holds something else than
     *         an array of {@code expectedLength} longs, naming found and expected
     */
    public static SharedLongArray open(ShmFile file, int expectedLength) {
        return new SharedLongArray(openArray(file, ElementType.LONG, checkedLength(expectedLength)));
    }

    /** Opens the array {@code name} in the default directory, creating it with {@code length} zeros if needed. */
    public static SharedLongArray openOrCreate(String name, int length) {
        return openOrCreate(ShmFile.of(name), length);
    }

    /**
     * Opens the array, or creates it with {@code length} zeros; race-free between processes.
     *
     * @throws io.jshm.core.region.RegionMismatchException if it exists with another length or type
     */
    public static SharedLongArray openOrCreate(ShmFile file, int length) {
        return new SharedLongArray(openOrCreateArray(file, ElementType.LONG, length, body -> { }));
    }

    /** The number of elements, fixed at creation. */
    public int length() {
        return length;
    }

    private long offset(int index) {
        return (long) Objects.checkIndex(index, length) << SHIFT;
    }

    /** Element {@code index}, with volatile semantics. */
    public long get(int index) {
        return Words.getLongVolatile(elements, offset(index));
    }

    /** Sets element {@code index}, with volatile semantics. */
    public void set(int index, long newValue) {
        Words.setLongVolatile(elements, offset(index), newValue);
    }

    /** Element {@code index}, with acquire semantics. */
    public long getAcquire(int index) {
        return Words.getLongAcquire(elements, offset(index));
    }

    /** Sets element {@code index} with release semantics. */
    public void setRelease(int index, long newValue) {
        Words.setLongRelease(elements, offset(index), newValue);
    }

    /** Element {@code index}, atomically but with no ordering against other accesses. */
    public long getOpaque(int index) {
        return Words.getLongOpaque(elements, offset(index));
    }

    /** Sets element {@code index} atomically but with no ordering against other accesses. */
    public void setOpaque(int index, long newValue) {
        Words.setLongOpaque(elements, offset(index), newValue);
    }

    /** Element {@code index}, read plainly: only meaningful while holding the lock. */
    public long getPlain(int index) {
        return Words.getLong(elements, offset(index));
    }

    /** Sets element {@code index} plainly: only meaningful while holding the lock. */
    public void setPlain(int index, long newValue) {
        Words.setLong(elements, offset(index), newValue);
    }

    /** Atomically sets element {@code index} and returns its old value. */
    public long getAndSet(int index, long newValue) {
        return Words.getAndSetLong(elements, offset(index), newValue);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the old value. */
    public long getAndAdd(int index, long delta) {
        return Words.getAndAddLong(elements, offset(index), delta);
    }

    /** Atomically adds {@code delta} to element {@code index}; returns the new value. */
    public long addAndGet(int index, long delta) {
        return getAndAdd(index, delta) + delta;
    }

    /** Atomically adds 1 to element {@code index}; returns the old value. */
    public long getAndIncrement(int index) {
        return getAndAdd(index, 1);
    }

    /** Atomically subtracts 1 from element {@code index}; returns the old value. */
    public long getAndDecrement(int index) {
        return getAndAdd(index, -1);
    }

    /** Atomically adds 1 to element {@code index}; returns the new value. */
    public long incrementAndGet(int index) {
        return getAndAdd(index, 1) + 1;
    }

    /** Atomically subtracts 1 from element {@code index}; returns the new value. */
    public long decrementAndGet(int index) {
        return getAndAdd(index, -1) - 1;
    }

    /** Atomically sets element {@code index} to {@code newValue} if it is {@code expected}; returns whether it did. */
    public boolean compareAndSet(int index, long expected, long newValue) {
        return Words.compareAndSetLong(elements, offset(index), expected, newValue);
    }

    /** Atomically sets element {@code index} to {@code newValue} if it is {@code expected}; returns the value it found. */
    public long compareAndExchange(int index, long expected, long newValue) {
        return Words.compareAndExchangeLong(elements, offset(index), expected, newValue);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the old value. */
    public long getAndUpdate(int index, LongUnaryOperator update) {
        return Atomics.updateLong(elements, offset(index), update, false);
    }

    /** Atomically applies {@code update} (which may run more than once) to element {@code index}; returns the new value. */
    public long updateAndGet(int index, LongUnaryOperator update) {
        return Atomics.updateLong(elements, offset(index), update, true);
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the old value. */
    public long getAndAccumulate(int index, long x, LongBinaryOperator accumulator) {
        return getAndUpdate(index, v -> accumulator.applyAsLong(v, x));
    }

    /** Atomically replaces element {@code index} with {@code accumulator(element, x)}; returns the new value. */
    public long accumulateAndGet(int index, long x, LongBinaryOperator accumulator) {
        return updateAndGet(index, v -> accumulator.applyAsLong(v, x));
    }

    /**
     * Copies {@code count} elements from {@code index} on into {@code destination} from
     * {@code destinationIndex} on. Plain reads: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyTo(int index, long[] destination, int destinationIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(elements, ValueLayout.JAVA_LONG, (long) index << SHIFT, destination, destinationIndex, count);
    }

    /**
     * Copies {@code count} elements of {@code source} from {@code sourceIndex} on into this array
     * from {@code index} on. Plain writes: see the class comment.
     *
     * @throws IndexOutOfBoundsException if either range is out of bounds
     */
    public void copyFrom(int index, long[] source, int sourceIndex, int count) {
        Objects.checkFromIndexSize(index, count, length);
        MemorySegment.copy(source, sourceIndex, elements, ValueLayout.JAVA_LONG, (long) index << SHIFT, count);
    }

    /** A copy of all elements. Plain reads: see the class comment. */
    public long[] toArray() {
        return elements.toArray(ValueLayout.JAVA_LONG);
    }

    /** Sets every element to {@code value}, plainly, then issues a full fence. */
    public void fill(long value) {
        for (int i = 0; i < length; i++) {
            Words.setLong(elements, (long) i << SHIFT, value);
        }
        VarHandle.fullFence();
    }

    @Override
    public String toString() {
        return "SharedLongArray[" + file() + ", length " + length + (isOpen() ? "]" : ", closed]");
    }
}
