package io.jshm.queue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * The messages of the cross-process stress test, generated deterministically per producer so that
 * the parent can recompute exactly what was sent. A message of length {@value #HEADER} or more is
 * [producer id int][sequence long][CRC32C int of id, sequence and payload][random payload]; a
 * shorter one (lengths 0..15 are drawn too) is {@code length} bytes of value {@code id + 1} and is
 * accounted by count per producer.
 */
final class StressMessages {
    static final int HEADER = 16;

    private final SplittableRandom random;
    private final int producer;
    private final CRC32C crc = new CRC32C();

    StressMessages(int producer) {
        this.producer = producer;
        this.random = new SplittableRandom(0x5EED_0000L + producer);
    }

    /** Writes message {@code sequence} into {@code buffer} and returns its length. */
    int next(long sequence, byte[] buffer, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        if (length < HEADER) {
            java.util.Arrays.fill(buffer, 0, length, (byte) (producer + 1));
            return length;
        }
        for (int i = HEADER; i < length; i++) {
            buffer[i] = (byte) random.nextInt();
        }
        MemorySegment m = MemorySegment.ofArray(buffer);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, 0, producer);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, sequence);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, 12, checksum(buffer, length));
        return length;
    }

    int checksum(byte[] message, int length) {
        crc.reset();
        crc.update(message, 0, 12);
        crc.update(message, HEADER, length - HEADER);
        return (int) crc.getValue();
    }
}
