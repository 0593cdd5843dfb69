package io.jshm.queue;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.Words;
import io.jshm.core.testing.Children;

import java.time.Duration;

/** Waits, in tests, until threads of this or other JVMs have announced that they wait on a queue. */
final class QueueWaiters {
    private QueueWaiters() {
    }

    /**
     * Waits until the waiters count at {@code offset} ({@link QueueDescriptor}'s
     * {@code *_WAITING_OFFSET}) is at least {@code count}; fails if one of {@code watched} ends
     * first or a minute passes. A waiter counts itself just before it parks.
     */
    static void awaitWaiting(ShmQueue q, int offset, int count, JvmProcess... watched) throws InterruptedException {
        Children.await(count + " waiting at offset " + offset, Duration.ofMinutes(1),
                () -> Words.getIntVolatile(q.body, offset) >= count, watched);
    }
}
