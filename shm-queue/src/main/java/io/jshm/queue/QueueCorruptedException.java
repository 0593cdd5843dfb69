package io.jshm.queue;

import io.jshm.core.region.RegionException;

import java.nio.file.Path;

/**
 * The queue's shared state is impossible: a head or tail outside its bounds, a slot in a state
 * no sequence of operations produces, or a message length beyond the maximum. Someone wrote
 * into the file who should not have; the queue is not usable. Thrown instead of looping or
 * reading outside the mapping.
 */
public final class QueueCorruptedException extends RegionException {
    private static final long serialVersionUID = 1L;

    public QueueCorruptedException(Path file, String problem) {
        super(file, "queue corrupted: " + problem);
    }
}
