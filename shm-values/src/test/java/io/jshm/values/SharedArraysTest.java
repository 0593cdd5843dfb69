package io.jshm.values;

import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The API of the shared arrays, in one process: per-index operations, bulk copies and bounds. */
class SharedArraysTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void longElementsAreIndependentAndAtomicOperationsWork() {
        try (SharedLongArray a = SharedLongArray.create(ShmFile.of(dir, "a"), 4)) {
            assertEquals(4, a.length());
            assertArrayEquals(new long[4], a.toArray());
            assertEquals(1, a.incrementAndGet(1));
            assertEquals(0, a.getAndAdd(2, 10));
            assertEquals(-1, a.decrementAndGet(3));
            assertTrue(a.compareAndSet(2, 10, 11));
            assertEquals(11, a.compareAndExchange(2, 0, 1));
            assertEquals(11, a.getAndUpdate(2, x -> x * 2));
            assertEquals(44, a.updateAndGet(2, x -> x * 2));
            assertEquals(44, a.getAndAccumulate(2, 6, Long::sum));
            assertEquals(3, a.accumulateAndGet(2, 3, Math::min));
            a.setRelease(0, 7);
            assertEquals(7, a.getAcquire(0));
            assertArrayEquals(new long[] {7, 1, 3, -1}, a.toArray());
        }
    }

    @Test
    void intAndDoubleArraysHaveTheSameOperations() {
        try (SharedIntArray ints = SharedIntArray.create(ShmFile.of(dir, "i"), new int[] {1, 2, 3});
             SharedDoubleArray doubles = SharedDoubleArray.create(ShmFile.of(dir, "d"), new double[] {0.5, -0.0})) {
            assertEquals(3, ints.incrementAndGet(1));
            assertEquals(3, ints.getAndSet(2, Integer.MIN_VALUE));
            assertArrayEquals(new int[] {1, 3, Integer.MIN_VALUE}, ints.toArray());
            assertEquals(0.5, doubles.getAndAdd(0, 0.25));
            assertEquals(1.0, doubles.addAndGet(0, 0.25));
            assertFalse(doubles.compareAndSet(1, 0.0, 1.0), "-0.0 is not 0.0");
            assertTrue(doubles.compareAndSet(1, -0.0, 1.0));
            assertEquals(4.0, doubles.updateAndGet(1, x -> x * 4));
            assertArrayEquals(new double[] {1.0, 4.0}, doubles.toArray());
        }
    }

    @Test
    void bulkCopiesMoveTheRangesAsked() {
        try (SharedLongArray a = SharedLongArray.create(ShmFile.of(dir, "a"), new long[] {1, 2, 3, 4, 5})) {
            long[] out = new long[4];
            a.copyTo(1, out, 1, 3);
            assertArrayEquals(new long[] {0, 2, 3, 4}, out);
            a.copyFrom(3, new long[] {9, 8, 7}, 1, 2);
            assertArrayEquals(new long[] {1, 2, 3, 8, 7}, a.toArray());
            a.fill(6);
            assertArrayEquals(new long[] {6, 6, 6, 6, 6}, a.toArray());
            a.copyTo(5, out, 0, 0);
        }
    }

    @Test
    void indexesOutOfRangeNameIndexAndLengthAndTouchNothing() {
        try (SharedLongArray before = SharedLongArray.create(ShmFile.of(dir, "a"), 3);
             SharedIntArray ints = SharedIntArray.create(ShmFile.of(dir, "i"), 3);
             SharedDoubleArray doubles = SharedDoubleArray.create(ShmFile.of(dir, "d"), 3)) {
            assertOutOfBounds("3", "3", () -> before.get(3));
            assertOutOfBounds("-1", "3", () -> before.set(-1, 1));
            assertOutOfBounds("3", "3", () -> before.incrementAndGet(3));
            assertOutOfBounds("3", "3", () -> before.compareAndSet(3, 0, 1));
            assertOutOfBounds("3", "3", () -> before.getAndUpdate(3, x -> x + 1));
            assertOutOfBounds("2147483647", "3", () -> ints.getAndAdd(Integer.MAX_VALUE, 1));
            assertOutOfBounds("3", "3", () -> doubles.addAndGet(3, 1.0));
            assertOutOfBounds("-2147483648", "3", () -> doubles.getAcquire(Integer.MIN_VALUE));
            assertOutOfBounds("2", "3", () -> before.copyTo(2, new long[5], 0, 2));
            assertOutOfBounds("1", "3", () -> ints.copyFrom(1, new int[5], 0, 3));
            assertThrows(IndexOutOfBoundsException.class, () -> before.copyTo(0, new long[1], 0, 2));
            assertThrows(IndexOutOfBoundsException.class, () -> before.copyTo(0, new long[1], 0, -1));
            assertArrayEquals(new long[3], before.toArray());
        }
    }

    @Test
    void anEmptyArrayHasNoElements() {
        try (SharedLongArray empty = SharedLongArray.create(ShmFile.of(dir, "a"), 0)) {
            assertEquals(0, empty.length());
            assertArrayEquals(new long[0], empty.toArray());
            assertOutOfBounds("0", "0", () -> empty.get(0));
        }
    }

    @Test
    void layoutPutsTheLockTheValueAndTheElementsOnLinesOfTheirOwn() {
        assertEquals(0, ValueDescriptor.LOCK_OFFSET);
        assertEquals(128, ValueDescriptor.VALUE_OFFSET);
        assertEquals(256, ValueDescriptor.VALUE_BODY_SIZE);
        assertEquals(128, ValueDescriptor.ELEMENTS_OFFSET);
        assertEquals(128 + 128, ValueDescriptor.arrayBodySize(ElementType.LONG, 16));
        assertEquals(128 + 256, ValueDescriptor.arrayBodySize(ElementType.LONG, 17));
        assertEquals(128 + 128, ValueDescriptor.arrayBodySize(ElementType.INT, 1));
        assertEquals(128, ValueDescriptor.arrayBodySize(ElementType.DOUBLE, 0));
    }

    @Test
    void negativeLengthsAreRejected() {
        ShmFile file = ShmFile.of(dir, "a");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedIntArray.create(file, -1));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedIntArray.open(file, -5));
    }

    private static void assertOutOfBounds(String index, String length, Executable access) {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, access);
        assertTrue(e.getMessage().contains(index) && e.getMessage().contains("length " + length), e.getMessage());
    }
}
