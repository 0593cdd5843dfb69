package io.jshm.queue;

import io.jshm.core.region.ShmFile;

/** The queue implementations, for tests that hold for all. */
enum QueueKind {
    SPSC, MPSC, MPMC, FAN_IN;

    /** The lanes of a FAN_IN queue made by {@link #create}, each of the capacity asked for. */
    static final int FAN_IN_LANES = 4;

    ShmQueue create(ShmFile file, int capacity, int maxLength) {
        return switch (this) {
            case SPSC -> SpscQueue.create(file, capacity, maxLength);
            case MPSC -> MpscQueue.create(file, capacity, maxLength);
            case MPMC -> MpmcQueue.create(file, capacity, maxLength);
            case FAN_IN -> FanInQueue.create(file, FAN_IN_LANES, capacity, maxLength);
        };
    }

    ShmQueue open(ShmFile file) {
        return switch (this) {
            case SPSC -> SpscQueue.open(file);
            case MPSC -> MpscQueue.open(file);
            case MPMC -> MpmcQueue.open(file);
            case FAN_IN -> FanInQueue.open(file);
        };
    }

    /** The capacity of a queue that {@link #create} made for {@code asked} messages. */
    int capacity(int asked) {
        return this == FAN_IN ? asked * FAN_IN_LANES : asked;
    }

    /**
     * Where a queue that {@link #create} made keeps the tail a first sending thread moves (for a
     * FAN_IN queue, that of lane 0, the one such a thread leases).
     */
    long tailOffset(int capacity, int maxLength) {
        return this == FAN_IN ? lane0(capacity, maxLength) + QueueDescriptor.LANE_TAIL_OFFSET : QueueDescriptor.TAIL_OFFSET;
    }

    /** Where the same queue keeps the head the consumer moves after reading that thread's messages. */
    long headOffset(int capacity, int maxLength) {
        return this == FAN_IN ? lane0(capacity, maxLength) + QueueDescriptor.LANE_HEAD_OFFSET : QueueDescriptor.HEAD_OFFSET;
    }

    /** SPSC, MPSC and FAN_IN: where the same queue keeps the batch end of that head. */
    long batchEndOffset(int capacity, int maxLength) {
        return this == FAN_IN ? lane0(capacity, maxLength) + QueueDescriptor.LANE_BATCH_END_OFFSET
                : QueueDescriptor.BATCH_END_OFFSET;
    }

    private long lane0(int capacity, int maxLength) {
        return QueueDescriptor.laneOffset(capacity(capacity), maxLength, 0);
    }

    /** The word a queue of this kind keeps at {@link #tailOffset} when its next position is {@code position}. */
    long tailWord(long position) {
        return this == MPSC ? QueueDescriptor.tailWord(position, 0) : position;
    }

    /** Whether the queue takes more than one consumer at a time. */
    boolean manyConsumers() {
        return this == MPMC;
    }
}
