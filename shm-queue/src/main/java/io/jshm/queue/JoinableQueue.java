package io.jshm.queue;

import io.jshm.core.os.Futex;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.sync.Deadline;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * An {@link MpmcQueue} that also tracks work: a consumer calls {@link #taskDone()} when it has
 * finished with a message it received, and {@link #join()} waits, in any process, until every
 * message sent has been received and marked done (Python's {@code JoinableQueue}).
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@code join()} returns only when every message sent before it was called has been
 *       received and marked done. Messages sent concurrently with {@code join()} may or may not
 *       be waited for.</li>
 *   <li>{@link #taskDone()} called more often than messages were received throws
 *       {@link IllegalStateException} (Python's {@code ValueError}) and changes nothing.</li>
 *   <li>A consumer that dies while reading a message (before it released the slot; a
 *       {@code drain} releases each slot as soon as its handler returns) has its task given back
 *       with the slot. One that dies after receiving and before {@code taskDone()}
 *       leaves its task unfinished, as it is: {@link #join(Duration)} bounds the wait.</li>
 * </ul>
 *
 * <h2>Implementation notes</h2>
 * The count is of tasks in progress (received, not done), not of messages sent: a consumer
 * increments it before the CAS that claims a message (and undoes it if the CAS fails), so the
 * queue never looks empty while a received task is uncounted. {@code join()} reads "empty"
 * ({@code head >= tail}, both volatile) and then the count; since the increment precedes the
 * claim, which precedes the head moving, an empty queue read before a zero count means nothing
 * was in flight. Joiners park on a futex sequence in slices; {@code taskDone()} bumps it and wakes
 * only when a joiner is registered.
 */
public final class JoinableQueue extends MpmcQueue {
    private static final long JOIN_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private JoinableQueue(SharedRegion region) {
        super(region, true);
    }

    /** Creates the queue; fails if the file exists. */
    public static JoinableQueue create(ShmFile file, int capacity, int maxMessageLength) {
        return new JoinableQueue(createRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, FLAG_JOINABLE));
    }

    /** Opens an existing joinable queue, whatever its capacity and maximum message length. */
    public static JoinableQueue open(ShmFile file) {
        return new JoinableQueue(openRegion(file, RegionKind.MPMC_QUEUE, -1, -1, FLAG_JOINABLE));
    }

    /** Opens an existing joinable queue, checking its parameters. */
    public static JoinableQueue open(ShmFile file, int capacity, int maxMessageLength) {
        return new JoinableQueue(openRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, FLAG_JOINABLE));
    }

    /** Opens the joinable queue, creating it if it does not exist. */
    public static JoinableQueue openOrCreate(ShmFile file, int capacity, int maxMessageLength) {
        return new JoinableQueue(openOrCreateRegion(file, RegionKind.MPMC_QUEUE, capacity, maxMessageLength, FLAG_JOINABLE));
    }

    /**
     * Marks one received message as done.
     *
     * @throws IllegalStateException if every received message is already marked done
     */
    public void taskDone() {
        if (endTask() <= 0) {
            Words.getAndAddLong(body, TASKS_IN_PROGRESS_OFFSET, 1);
            throw new IllegalStateException("taskDone() called more times than messages were received from " + file());
        }
    }

    /** Messages received and not yet marked done, in all processes. */
    public long unfinishedTasks() {
        return Math.max(0, Words.getLongVolatile(body, TASKS_IN_PROGRESS_OFFSET)) + size();
    }

    /** Waits until every message sent has been received and marked done. */
    public void join() throws InterruptedException {
        join(Deadline.NEVER);
    }

    /** As {@link #join()}, waiting at most {@code timeout}; returns whether all was done. */
    public boolean join(Duration timeout) throws InterruptedException {
        return join(Deadline.after(timeout));
    }

    private boolean join(Deadline deadline) throws InterruptedException {
        if (allDone()) {
            return true;
        }
        Words.getAndAddInt(body, JOINERS_WAITING_OFFSET, 1);
        try {
            while (true) {
                int sequence = Words.getIntVolatile(body, JOIN_SEQUENCE_OFFSET);
                if (allDone()) {
                    return true;
                }
                long remaining = deadline.remainingNanos();
                if (remaining <= 0) {
                    return false;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                // Slices: messages sent while we wait change "empty" without bumping the sequence.
                Futex.await(bodyAddress + JOIN_SEQUENCE_OFFSET, sequence, Math.min(remaining, JOIN_SLICE_NANOS));
            }
        } finally {
            Words.getAndAddInt(body, JOINERS_WAITING_OFFSET, -1);
        }
    }

    private boolean allDone() {
        long tail = Words.getLongVolatile(body, TAIL_OFFSET);
        long head = Words.getLongVolatile(body, HEAD_OFFSET);
        return head - tail >= 0 && Words.getLongVolatile(body, TASKS_IN_PROGRESS_OFFSET) <= 0;
    }

    @Override
    void joinableChanged() {
        if (Words.getIntVolatile(body, JOINERS_WAITING_OFFSET) > 0) {
            Words.getAndAddInt(body, JOIN_SEQUENCE_OFFSET, 1);
            Futex.wakeAll(bodyAddress + JOIN_SEQUENCE_OFFSET);
        }
    }
}
