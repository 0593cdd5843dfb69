package io.jshm.values;

import io.jshm.core.region.RegionDescriptor;
import io.jshm.core.sync.LockDescriptor;

/**
 * The binary layout of shared values and arrays: the body that follows the common region
 * header of {@link RegionDescriptor}. Offsets are from the start of the body, which itself
 * starts on a 128-byte boundary of the file (and so of the page-aligned mapping). Little-endian.
 *
 * <h2>Header parameters</h2>
 * <pre>
 *  kind         VALUE (a single value)          ARRAY
 *  parameter 0  element type code ({@link ElementType#code()})
 *  parameter 1  0                               length, in elements
 *  parameter 2  0                               0
 * </pre>
 *
 * <h2>A single value ({@code SharedInt}, {@code SharedLong}, {@code SharedDouble})</h2>
 * <pre>
 *  offset  size  field
 *       0   128  the object's robust lock ({@link LockDescriptor}), a line of its own
 *     128     8  the value (an int uses the first 4 bytes), alone on its 128-byte line
 *     136   120  reserved, zero
 * </pre>
 * The value has a 128-byte line to itself, so that neither the lock word nor a neighbouring
 * object's hot word shares it (adjacent-line prefetch on x86 pairs 64-byte lines).
 *
 * <h2>An array ({@code SharedIntArray}, {@code SharedLongArray}, {@code SharedDoubleArray})</h2>
 * <pre>
 *  offset               size            field
 *       0               128             the array's robust lock, a line of its own
 *     128               length * size   the elements, densely packed, index order
 *     128 + length*size up to the next multiple of 128: padding, zero
 * </pre>
 * Element {@code i} is at {@code ELEMENTS_OFFSET + i * size}: every element is naturally
 * aligned (its offset in the file is a multiple of its size), which is what makes atomic access
 * to it legal and never split across cache lines. Elements are packed, not padded: neighbouring
 * elements share cache lines, so processes that hammer adjacent indexes contend on the line (as
 * they would with {@code AtomicLongArray}); an application that wants one hot counter per
 * process should space its indexes 16 longs (128 bytes) apart.
 */
public final class ValueDescriptor {
    /** Offset of the object's lock line. */
    public static final int LOCK_OFFSET = 0;
    /** Offset of a single value. */
    public static final int VALUE_OFFSET = LOCK_OFFSET + LockDescriptor.SIZE;
    /** Body size of a single value: lock line and value line. */
    public static final int VALUE_BODY_SIZE = VALUE_OFFSET + RegionDescriptor.CACHE_LINE;
    /** Offset of an array's element 0. */
    public static final int ELEMENTS_OFFSET = LOCK_OFFSET + LockDescriptor.SIZE;
    /** The longest array: Java arrays and indexes are ints. */
    public static final int MAX_LENGTH = Integer.MAX_VALUE - 8;

    /** Header parameter holding the element type code. */
    public static final int ELEMENT_TYPE_PARAMETER = 0;
    /** Header parameter holding an array's length. */
    public static final int LENGTH_PARAMETER = 1;

    private ValueDescriptor() {
    }

    /** The body size of an array of {@code length} elements of {@code type}. */
    public static long arrayBodySize(ElementType type, long length) {
        return ELEMENTS_OFFSET + RegionDescriptor.alignToCacheLine(length * type.size());
    }
}
