package io.jshm.values;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSizeException;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.LockDescriptor;
import io.jshm.core.sync.OwnerDiedException;
import io.jshm.core.sync.ShmLock;

import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every shared value and array has: its file, its mapping, and its own robust
 * interprocess lock (Python's {@code get_lock()}).
 *
 * <h2>Threads and processes</h2>
 * The object may be used by any number of threads of any number of processes that opened the
 * same file. Each atomic operation of a subclass is atomic across all of them, with the memory
 * ordering its name says (as the methods of {@code AtomicLong}). The lock gives mutual
 * exclusion across all of them for compound updates: unlocking happens-before the next locking,
 * in any process.
 *
 * <p>{@link #close()} unmaps this process's mapping; later access through this object throws
 * {@link IllegalStateException}, never a crash. Other processes are not affected.
 * {@link #unlink()} removes the name; existing mappings stay valid.
 *
 * @param <S> the concrete type, handed to {@link #withLock} actions
 */
public abstract sealed class SharedObject<S extends SharedObject<S>> implements AutoCloseable
        permits SharedInt, SharedLong, SharedDouble, SharedIntArray, SharedLongArray, SharedDoubleArray {
    /** The region body: lock line first, then the value or elements ({@link ValueDescriptor}). */
    final MemorySegment body;
    private final SharedRegion region;
    private final ShmLock lock;

    SharedObject(SharedRegion region) {
        this.region = region;
        this.body = region.body();
        this.lock = ShmLock.embedded(region.file().path(), body.asSlice(ValueDescriptor.LOCK_OFFSET, LockDescriptor.SIZE));
    }

    /**
     * Acquires this object's lock for a try-with-resources block, which releases it:
     * <pre>{@code
     * try (var held = counter.lock()) {
     *     if (held.ownerDied()) { ... the previous holder died mid-update: check the value ... }
     *     counter.set(counter.get() * 2);
     * }
     * }</pre>
     * Waits as long as it takes; allocates nothing. Locks are not reentrant.
     */
    public final ShmLock.Guard lock() {
        return lock.acquire();
    }

    /** This object's lock itself, for {@code tryLock} with a timeout and the like. */
    public final ShmLock getLock() {
        return lock;
    }

    /**
     * Runs {@code action} holding this object's lock: {@code counter.withLock(c -> c.set(c.get() + 1))}.
     *
     * @throws OwnerDiedException if the previous holder died holding the lock: the action did not
     *                            run, the lock has been released again, and the object holds
     *                            whatever the dead process left; check it, then retry
     */
    public final void withLock(Consumer<? super S> action) {
        lockOrReport();
        try {
            action.accept(self());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} holding this object's lock and returns what it returns:
     * {@code long before = counter.computeWithLock(c -> { long v = c.get(); c.set(v * 2); return v; })}.
     *
     * @throws OwnerDiedException as {@link #withLock(Consumer)}
     */
    public final <R> R computeWithLock(Function<? super S, ? extends R> action) {
        lockOrReport();
        try {
            return action.apply(self());
        } finally {
            lock.unlock();
        }
    }

    private void lockOrReport() {
        try {
            lock.lock();
        } catch (OwnerDiedException died) {
            lock.unlock();
            throw died.afterRelease();
        }
    }

    @SuppressWarnings("unchecked")
    private S self() {
        return (S) this;
    }

    /** Where this object lives. */
    public final ShmFile file() {
        return region.file();
    }

    /** Whether this call created the file, rather than opened an existing one. */
    public final boolean wasCreated() {
        return region.wasCreated();
    }

    /** Removes the file's name, like {@code shm_unlink}; mappings stay valid until closed. */
    public final boolean unlink() {
        return region.unlink();
    }

    /** Whether this mapping is still open. */
    public final boolean isOpen() {
        return region.isOpen();
    }

    /** Unmaps the object in this process; later access through it throws {@link IllegalStateException}. */
    @Override
    public final void close() {
        region.close();
    }

    // ---- regions: create, open and validate, shared by the six types ----

    static SharedRegion createValue(ShmFile file, ElementType type, Consumer<MemorySegment> initializer) {
        return SharedRegion.create(file, valueSpec(type), initializer);
    }

    static SharedRegion openValue(ShmFile file, ElementType type) {
        return validValue(SharedRegion.open(file, RegionKind.VALUE), type);
    }

    static SharedRegion openOrCreateValue(ShmFile file, ElementType type, Consumer<MemorySegment> initializer) {
        SharedRegion region = SharedRegion.openOrCreate(file, valueSpec(type), initializer);
        return region.wasCreated() ? region : validValue(region, type);
    }

    static SharedRegion createArray(ShmFile file, ElementType type, int length, Consumer<MemorySegment> initializer) {
        return SharedRegion.create(file, arraySpec(type, length), initializer);
    }

    /** What {@link #openArray} accepts as "whatever the length". */
    static final int ANY_LENGTH = -1;

    /** Opens an array of exactly {@code expectedLength} elements, or of any length for {@link #ANY_LENGTH}. */
    static SharedRegion openArray(ShmFile file, ElementType type, int expectedLength) {
        return validArray(SharedRegion.open(file, RegionKind.ARRAY), type, expectedLength);
    }

    static SharedRegion openOrCreateArray(ShmFile file, ElementType type, int length, Consumer<MemorySegment> initializer) {
        SharedRegion region = SharedRegion.openOrCreate(file, arraySpec(type, length), initializer);
        return region.wasCreated() ? region : validArray(region, type, length);
    }

    /** The element count of a validated array region. */
    static int length(SharedRegion region) {
        return (int) region.parameter(ValueDescriptor.LENGTH_PARAMETER);
    }

    /** {@code body} restricted to an array's elements, so that nothing past them is reachable. */
    static MemorySegment elements(SharedRegion region, ElementType type) {
        return region.body().asSlice(ValueDescriptor.ELEMENTS_OFFSET, (long) length(region) * type.size());
    }

    private static RegionSpec valueSpec(ElementType type) {
        return new RegionSpec(RegionKind.VALUE, ValueDescriptor.VALUE_BODY_SIZE, type.code(), 0, 0);
    }

    /** {@code length}, if it is a valid array length. */
    static int checkedLength(int length) {
        if (length < 0 || length > ValueDescriptor.MAX_LENGTH) {
            throw new IllegalArgumentException("array length must be 0.." + ValueDescriptor.MAX_LENGTH + ", was " + length);
        }
        return length;
    }

    private static RegionSpec arraySpec(ElementType type, int length) {
        checkedLength(length);
        return new RegionSpec(RegionKind.ARRAY, ValueDescriptor.arrayBodySize(type, length), type.code(), length, 0);
    }

    private static SharedRegion validValue(SharedRegion region, ElementType type) {
        try {
            requireType(region, type);
            region.requireBodySize(ValueDescriptor.VALUE_BODY_SIZE);
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    private static SharedRegion validArray(SharedRegion region, ElementType type, int expectedLength) {
        try {
            requireType(region, type);
            long length = region.parameter(ValueDescriptor.LENGTH_PARAMETER);
            if (length < 0 || length > ValueDescriptor.MAX_LENGTH) {
                throw new RegionSizeException(region.file().path(), "header records array length " + length
                        + ", outside 0.." + ValueDescriptor.MAX_LENGTH);
            }
            if (expectedLength >= 0) {
                region.requireParameter(ValueDescriptor.LENGTH_PARAMETER, "length", expectedLength);
            }
            region.requireBodySize(ValueDescriptor.arrayBodySize(type, length));
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    private static void requireType(SharedRegion region, ElementType type) {
        region.requireParameter(ValueDescriptor.ELEMENT_TYPE_PARAMETER, "element type", type.code(), ElementType::describe);
    }
}
