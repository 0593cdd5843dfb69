package io.jshm.queue;

import io.jshm.core.region.ShmFile;

/** The queue implementations, for tests that hold for all. */
enum QueueKind {
    SPSC, MPSC, MPMC;

    ShmQueue create(ShmFile file, int capacity, int maxLength) {
        return switch (this) {
            case SPSC -> SpscQueue.create(file, capacity, maxLength);
            case MPSC -> MpscQueue.create(file, capacity, maxLength);
            case MPMC -> MpmcQueue.create(file, capacity, maxLength);
        };
    }

    ShmQueue open(ShmFile file) {
        return switch (this) {
            case SPSC -> SpscQueue.open(file);
            case MPSC -> MpscQueue.open(file);
            case MPMC -> MpmcQueue.open(file);
        };
    }

    /** The word a queue of this kind keeps at TAIL_OFFSET when its next position is {@code position}. */
    long tailWord(long position) {
        return this == MPSC ? QueueDescriptor.tailWord(position, 0) : position;
    }

    /** Whether the queue takes more than one consumer at a time. */
    boolean manyConsumers() {
        return this == MPMC;
    }
}
