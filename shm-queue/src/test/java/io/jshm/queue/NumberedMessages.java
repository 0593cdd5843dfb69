package io.jshm.queue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Messages that say who sent them and in what order, so that a receiver can check each one on its
 * own: [producer int][sequence long][filler], 12 to 12 + 51 bytes long, the length and every
 * filler byte a function of producer and sequence. A producer killed mid-stream has sent a prefix
 * of its sequence, which a receiver checks message by message.
 */
final class NumberedMessages {
    static final int HEADER = 12;
    static final int MAX_LENGTH = HEADER + 51;
    /** Bytes per entry of a receiver's log: producer (int) and sequence (long). */
    static final int LOG_ENTRY = 12;

    private NumberedMessages() {
    }

    /** Writes message {@code sequence} of {@code producer} into {@code buffer}; returns its length. */
    static int write(int producer, long sequence, byte[] buffer) {
        int length = length(producer, sequence);
        MemorySegment m = MemorySegment.ofArray(buffer);
        m.set(ValueLayout.JAVA_INT_UNALIGNED, 0, producer);
        m.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, sequence);
        for (int i = HEADER; i < length; i++) {
            buffer[i] = filler(producer, sequence, i);
        }
        return length;
    }

    static int producer(MemorySegment message, long offset) {
        return message.get(ValueLayout.JAVA_INT_UNALIGNED, offset);
    }

    static long sequence(MemorySegment message, long offset) {
        return message.get(ValueLayout.JAVA_LONG_UNALIGNED, offset + 4);
    }

    /** Whether the message at {@code offset} of {@code length} bytes is intact (its header read as it says). */
    static boolean intact(MemorySegment message, long offset, int length) {
        if (length < HEADER) {
            return false;
        }
        int producer = producer(message, offset);
        long sequence = sequence(message, offset);
        if (length != length(producer, sequence)) {
            return false;
        }
        for (int i = HEADER; i < length; i++) {
            if (message.get(ValueLayout.JAVA_BYTE, offset + i) != filler(producer, sequence, i)) {
                return false;
            }
        }
        return true;
    }

    private static int length(int producer, long sequence) {
        return HEADER + (int) Math.floorMod(sequence * 7 + producer, MAX_LENGTH - HEADER + 1);
    }

    private static byte filler(int producer, long sequence, int index) {
        return (byte) (sequence * 31 + producer * 17 + index);
    }

    /**
     * A receiver's check of every message as it arrives: intact, and the next of its producer's
     * sequence (so what arrived of each producer is a prefix of what it sent: nothing lost in
     * between, duplicated or reordered). Readable from other threads while it runs.
     */
    static final class Checker implements MessageHandler {
        private final AtomicLongArray next;
        /** Per producer, the arrival number (over all producers) of its first and last message; receiving thread only. */
        private final long[] firstArrival;
        private final long[] lastArrival;
        private long arrivals;

        Checker(int producers) {
            next = new AtomicLongArray(producers);
            firstArrival = new long[producers];
            lastArrival = new long[producers];
            Arrays.fill(firstArrival, -1);
        }

        @Override
        public void onMessage(MemorySegment buffer, long offset, int length) {
            if (!intact(buffer, offset, length)) {
                throw new AssertionError("a corrupt message of length " + length);
            }
            int producer = producer(buffer, offset);
            long sequence = sequence(buffer, offset);
            if (sequence != next.get(producer)) {
                throw new AssertionError("producer " + producer + " sent " + sequence + " where " + next.get(producer) + " was due");
            }
            next.set(producer, sequence + 1);
            if (firstArrival[producer] < 0) {
                firstArrival[producer] = arrivals;
            }
            lastArrival[producer] = arrivals++;
        }

        /** When {@code producer}'s first message arrived, counting all arrivals from 0; -1 if none did (receiving thread). */
        long firstArrival(int producer) {
            return firstArrival[producer];
        }

        /** When {@code producer}'s last message arrived (receiving thread). */
        long lastArrival(int producer) {
            return lastArrival[producer];
        }

        /** How many messages of {@code producer} arrived. */
        long received(int producer) {
            return next.get(producer);
        }

        @Override
        public String toString() {
            return "received " + next;
        }
    }
}
