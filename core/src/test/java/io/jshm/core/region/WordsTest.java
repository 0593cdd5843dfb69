package io.jshm.core.region;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every method of {@link Words} once: its handle is exact, so a call whose Java signature did not
 * match the handle's type would throw {@link java.lang.invoke.WrongMethodTypeException} here.
 */
class WordsTest {
    @Test
    void intAccessInEveryModeReadsAndWritesTheWord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64, 8);
            Words.setInt(s, 4, 1);
            assertEquals(1, Words.getInt(s, 4));
            Words.setIntOpaque(s, 4, 2);
            assertEquals(2, Words.getIntOpaque(s, 4));
            Words.setIntRelease(s, 4, 3);
            assertEquals(3, Words.getIntAcquire(s, 4));
            Words.setIntVolatile(s, 4, 4);
            assertEquals(4, Words.getIntVolatile(s, 4));
            assertTrue(Words.compareAndSetInt(s, 4, 4, 5));
            assertFalse(Words.compareAndSetInt(s, 4, 4, 6));
            assertEquals(5, Words.compareAndExchangeInt(s, 4, 5, 7));
            assertEquals(7, Words.compareAndExchangeInt(s, 4, 5, 8), "a failed exchange returns the witness");
            assertEquals(7, Words.getAndAddInt(s, 4, -10));
            assertEquals(-3, Words.getAndSetInt(s, 4, 9));
            assertEquals(9, s.get(ValueLayout.JAVA_INT, 4));
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 0), "the neighbouring word is untouched");
            assertEquals(0, s.get(ValueLayout.JAVA_INT, 8), "the neighbouring word is untouched");
        }
    }

    @Test
    void longAccessInEveryModeReadsAndWritesTheWord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64, 8);
            long big = 1L << 40;
            Words.setLong(s, 8, big);
            assertEquals(big, Words.getLong(s, 8));
            Words.setLongOpaque(s, 8, big + 1);
            assertEquals(big + 1, Words.getLongOpaque(s, 8));
            Words.setLongRelease(s, 8, big + 2);
            assertEquals(big + 2, Words.getLongAcquire(s, 8));
            Words.setLongVolatile(s, 8, big + 3);
            assertEquals(big + 3, Words.getLongVolatile(s, 8));
            assertTrue(Words.compareAndSetLong(s, 8, big + 3, big + 4));
            assertFalse(Words.compareAndSetLong(s, 8, big + 3, big + 5));
            assertEquals(big + 4, Words.compareAndExchangeLong(s, 8, big + 4, big + 6));
            assertEquals(big + 6, Words.compareAndExchangeLong(s, 8, big + 4, 0));
            assertEquals(big + 6, Words.getAndAddLong(s, 8, -big));
            assertEquals(6, Words.getAndSetLong(s, 8, -1));
            assertEquals(-1, s.get(ValueLayout.JAVA_LONG, 8));
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 16));
        }
    }

    @Test
    void doubleAccessInEveryModeReadsAndWritesTheWord() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(64, 8);
            Words.setDouble(s, 16, 1.5);
            assertEquals(1.5, Words.getDouble(s, 16));
            Words.setDoubleOpaque(s, 16, 2.5);
            assertEquals(2.5, Words.getDoubleOpaque(s, 16));
            Words.setDoubleRelease(s, 16, 3.5);
            assertEquals(3.5, Words.getDoubleAcquire(s, 16));
            Words.setDoubleVolatile(s, 16, -0.0);
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Words.getDoubleVolatile(s, 16)));
            assertEquals(-0.0, Words.getAndSetDouble(s, 16, Double.NaN));
            assertTrue(Double.isNaN(s.get(ValueLayout.JAVA_DOUBLE, 16)));
        }
    }

    @Test
    void misalignedOrOutOfBoundsOffsetsThrowAndTouchNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16, 8);
            assertThrows(IllegalArgumentException.class, () -> Words.getLongVolatile(s, 4));
            assertThrows(IllegalArgumentException.class, () -> Words.setIntRelease(s, 2, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Words.getAndAddLong(s, 16, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> Words.compareAndSetInt(s, -4, 0, 1));
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0, s.get(ValueLayout.JAVA_LONG, 8));
        }
    }
}
