package io.jshm.queue;

import io.jshm.core.region.ShmFile;

/** The queue implementations, for tests that hold for both. */
enum QueueKind {
    SPSC, MPMC;

    ShmQueue create(ShmFile file, int capacity, int maxLength) {
        return this == SPSC ? SpscQueue.create(file, capacity, maxLength) : MpmcQueue.create(file, capacity, maxLength);
    }

    ShmQueue open(ShmFile file) {
        return this == SPSC ? SpscQueue.open(file) : MpmcQueue.open(file);
    }
}
