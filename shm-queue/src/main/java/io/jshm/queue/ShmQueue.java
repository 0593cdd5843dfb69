package io.jshm.queue;

import io.jshm.core.os.Futex;
import io.jshm.core.os.Membarrier;
import io.jshm.core.os.ProcessIdentity;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.sync.Deadline;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static io.jshm.queue.QueueDescriptor.*;

/**
 * A bounded queue of byte messages in a shared-memory file, used by threads of any number of
 * processes: {@link SpscQueue} (one producer, one consumer), {@link MpscQueue} (any number of
 * producers, one consumer), {@link FanInQueue} (a lane per producer, one consumer) or
 * {@link MpmcQueue} (any number of each). Capacity (in messages)
 * and maximum message length are fixed when the file is created and checked when it is opened.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every message sent is received once, whole, by one consumer; messages from one producer
 *       thread are received in the order they were sent. Writing a message happens-before reading
 *       it, across processes.</li>
 *   <li>Non-blocking operations ({@code offer}, {@code poll}, {@code drain}, {@code read}) make no
 *       system call and allocate nothing (except the {@code byte[]} returned by {@link #poll()}).
 *       A sender makes a {@code FUTEX_WAKE} call only when a receiver has parked, and one call per
 *       parking however many messages follow; the same the other way round.</li>
 *   <li>Blocking operations spin for 2.5 µs, yield the processor until 50 µs have passed, then
 *       park on a futex, in slices of at most
 *       {@value #PARK_SLICE_MILLIS} ms (so an interrupt is seen within a slice; a futex wait
 *       cannot be interrupted by {@link Thread#interrupt()}). A waiting
 *       {@link #drain(MessageHandler, int, Duration) drain} that found the queue empty, and an
 *       {@code MpmcQueue} producer that found it full, first let 1 µs pass without looking, so
 *       that a batch of messages (of free slots) gathers instead of being chased one by one.</li>
 *   <li>{@link #closeForSending()}: later sends, and sends blocked on a full queue, throw
 *       {@link QueueClosedException}; receivers get every message sent before, then
 *       {@link EndOfStreamException}, whether they were parked or not (for an {@link SpscQueue},
 *       when its producer thread is the one that closes).</li>
 *   <li>A message is 0 to {@link #maxMessageLength()} bytes; a longer one is refused with
 *       {@link MessageTooLongException} before anything is claimed.</li>
 *   <li>A state in the file that no sequence of operations produces (head, tail, slot state or
 *       length corrupted) gives {@link QueueCorruptedException}; nothing reads outside the
 *       mapping and no operation loops forever on it.</li>
 * </ul>
 * A handle is thread-safe for an {@code MpmcQueue}; an {@code MpscQueue} allows any number of
 * sending threads and one receiving thread at a time, a {@code FanInQueue} as many sending
 * threads as it has lanes and one receiving thread, an {@code SpscQueue} one of each, in all
 * processes together.
 */
public abstract sealed class ShmQueue implements AutoCloseable permits SpscQueue, MpscQueue, MpmcQueue, FanInQueue {
    /** The longest single futex wait of a blocked operation. */
    public static final long PARK_SLICE_MILLIS = 100;

    /**
     * How long a slot must stay held by another process ({@link MpmcQueue}, {@link MpscQueue})
     * before a waiter checks whether that process is still alive.
     */
    public static final long STUCK_MILLIS = 100;

    /** This process's pid as slot states record it (0 if it does not fit: see {@link #requirePidFits()}). */
    static final int MY_PID = pidForSlotStates(ProcessIdentity.current().pid());

    /** What tryClaim / tryAcquire return when there is no slot now. */
    static final long NONE = -1;
    /** What the receive-into-buffer methods return when there is no message now. */
    public static final int EMPTY = -1;

    /**
     * Whether publishers may skip the full fence between their store and their look at the futex
     * word: this process is registered for {@link Membarrier}, which waiters fence instead. A
     * holder class, so that off Linux the constructor's registration throws its
     * UnsupportedOperationException rather than this class failing to initialize.
     */
    private static final class Publishing {
        static final boolean FENCE_FREE = Membarrier.registerProcess();

        private Publishing() {
        }
    }

    /** A waiter's futex slice when it could not fence the publishers (no membarrier): a lost wake-up costs at most this. */
    private static final long UNFENCED_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** The low bit of a futex word: a thread parked on it since the last wake-up. */
    private static final int PARKED = 1;
    /** The second bit: a waiter fenced the publishers (membarrier) since PARKED was set. */
    private static final int FENCED = 2;
    /** One step of the sequence above the two bits. */
    private static final int SEQUENCE_ONE = 4;
    /**
     * How long a blocked call spins: long enough to catch a message already on its way (a hand-off
     * between cores takes well under a microsecond). A time, not a count of
     * {@code onSpinWait()}, whose length differs tenfold between CPUs.
     */
    private static final long SPIN_NANOS = 2_500;
    /**
     * How many times a spinning call looks between two reads of the clock. {@code System.nanoTime()}
     * can cost more than a look: 28 ns on the KVM guest this was measured on (kvm-clock), against
     * about 20 ns for a spin-wait hint and a few for a look. Read after every look, it put about
     * 30 ns between looks, which a receiver in a ping-pong pays twice a round trip. Ping-pong p50
     * (64 B, runs of 2 forks): SpscQueue 0.60, 0.61 µs with a read after every look against 0.20,
     * 0.47 every 8 looks (0.50, 0.49, 0.51, 0.57 every 4; 0.48, 0.62 every 16; Agrona's
     * one-to-one ring, spinning without a clock, 0.45, 0.54); MpmcQueue 0.65, 0.70 against 0.30,
     * 0.30. Every 8 looks, a spin overruns {@link #SPIN_NANOS} by at most a few hundred ns.
     */
    private static final int POLLS_PER_CLOCK_READ = 8;
    /**
     * How long after it began waiting a blocked call yields the processor before it parks. When
     * processes outnumber cores, the party being waited for is often runnable but not running,
     * and {@link Thread#yield()} ({@code sched_yield}) hands it the core at once, where parking
     * would cost a membarrier, a futex wait and a wake-up (about 50 µs on the 2-core VM this
     * was measured on) and spinning would keep the core from it. If nothing else wants the core,
     * a yield returns at once and the call keeps polling. Measured (ping-pong between two JVMs,
     * 64 B): p99 round trip 13 to 18 µs with spinning alone, 0.5 to 1.0 µs with this phase;
     * throughput unchanged. Short enough that a wait still reaches the futex within 50 µs. When
     * the two parties share one CPU (busy threads left free on a machine with none to spare), the
     * yields pass turns between them, 10 to 15 µs a round trip on that VM; parking instead was
     * slower still (README, "Why the free ping-pong tail").
     */
    private static final long YIELD_UNTIL_NANOS = 50_000;
    /**
     * How long a waiting {@link #drain(MessageHandler, int, Duration)} that found the queue empty
     * lets pass before it looks again, so that a batch gathers. A consumer that looks again at
     * once keeps up with a streaming producer message by message: it reads each slot as soon as
     * it is published, and polls the slot the producer is writing next, so the two cores hand
     * that slot's line back and forth several times per message. Letting messages gather puts
     * the consumer a batch behind, on lines the producer has finished with. Measured (two
     * threads, SpscQueue, messages ignored by the consumer; 0 / 250 / 500 / 1,000 / 2,000 ns):
     * 10 / 20 / 25 / 31 / 34 M msg/s at 1 KiB, 36 / 45 / 49 / 54 / 57 at 64 B; MpscQueue at
     * 1 KiB 7.5 / 11 / 16 / 18 / 17. The price: a message that arrives while the queue is found
     * empty waits up to this long more; {@code take}, {@code poll} and {@code read} look again at
     * once, for the lowest latency per message. The same holds the other way round where
     * producers see each slot freed by a store of its own ({@link #claimPauseNanos()}).
     */
    static final long BATCH_PAUSE_NANOS = 1_000;
    /** A page of zeros, the source of {@link #zero}. */
    private static final MemorySegment ZEROS = Arena.global().allocate(4096, 64);
    private static final long PARK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(PARK_SLICE_MILLIS);

    final SharedRegion region;
    final MemorySegment body;
    final MemorySegment readOnlyBody;
    final long bodyAddress;
    final int capacity;
    final long mask;
    final int maxLength;
    final long slotSize;
    /** When to check whether the process holding a slot is alive (MPSC and MPMC; SPSC never checks). */
    final StuckWatch stuckWatch = new StuckWatch();

    ShmQueue(SharedRegion region) {
        this.region = region;
        this.body = region.body();
        this.readOnlyBody = body.asReadOnly();
        this.bodyAddress = body.address();
        this.capacity = (int) region.parameter(CAPACITY_PARAMETER);
        this.mask = capacity - 1;
        this.maxLength = (int) region.parameter(MAX_LENGTH_PARAMETER);
        this.slotSize = QueueDescriptor.slotSize(maxLength);
        Membarrier.registerProcess(); // before this process can publish anything (see parkForSlot); once per process
    }

    // ---------------------------------------------------------------- region set-up

    static SharedRegion createRegion(ShmFile file, RegionKind kind, int capacity, int maxLength, long flags) {
        QueueDescriptor.checkParameters(capacity, maxLength);
        return SharedRegion.create(file, spec(kind, capacity, maxLength, flags), body -> initialize(body, kind, capacity, maxLength));
    }

    static SharedRegion openOrCreateRegion(ShmFile file, RegionKind kind, int capacity, int maxLength, long flags) {
        QueueDescriptor.checkParameters(capacity, maxLength);
        SharedRegion region = SharedRegion.openOrCreate(file, spec(kind, capacity, maxLength, flags),
                body -> initialize(body, kind, capacity, maxLength));
        return validate(region, kind, capacity, maxLength, flags);
    }

    /**
     * Opens and validates; {@code capacity} or {@code maxLength} of -1 accept what the file says,
     * and so does a fan-in queue's {@code flags} (its lanes) of -1.
     */
    static SharedRegion openRegion(ShmFile file, RegionKind kind, int capacity, int maxLength, long flags) {
        return validate(SharedRegion.open(file, kind), kind, capacity, maxLength, flags);
    }

    private static RegionSpec spec(RegionKind kind, int capacity, int maxLength, long flags) {
        long bodySize = kind == RegionKind.FAN_IN_QUEUE
                ? QueueDescriptor.bodySize(capacity, maxLength, (int) flags)
                : QueueDescriptor.bodySize(capacity, maxLength);
        return new RegionSpec(kind, bodySize, capacity, maxLength, flags);
    }

    private static void initialize(MemorySegment body, RegionKind kind, int capacity, int maxLength) {
        if (kind == RegionKind.SPSC_QUEUE || kind == RegionKind.FAN_IN_QUEUE) {
            return; // a sequence starts at 0, and a lane at tail 0, head 0, no owner, as the file does
        }
        long slotSize = QueueDescriptor.slotSize(maxLength);
        for (long i = 0; i < capacity; i++) {
            body.set(ValueLayout.JAVA_LONG, SLOTS_OFFSET + i * slotSize + SLOT_STATE_OFFSET, state(i, KIND_EMPTY, 0));
        }
    }

    private static SharedRegion validate(SharedRegion region, RegionKind kind, int capacity, int maxLength, long flags) {
        try {
            long foundCapacity = region.parameter(CAPACITY_PARAMETER);
            long foundMax = region.parameter(MAX_LENGTH_PARAMETER);
            long foundFlags = region.parameter(FLAGS_PARAMETER);
            if (capacity >= 0) {
                region.requireParameter(CAPACITY_PARAMETER, "capacity", capacity);
            }
            if (maxLength >= 0) {
                region.requireParameter(MAX_LENGTH_PARAMETER, "maximum message length", maxLength);
            }
            boolean fanIn = kind == RegionKind.FAN_IN_QUEUE;
            if (!fanIn) {
                region.requireParameter(FLAGS_PARAMETER, "queue flags", flags,
                        f -> (f & FLAG_JOINABLE) != 0 ? "joinable" : f == 0 ? "not joinable" : "flags 0x" + Long.toHexString(f));
            } else if (flags >= 0) {
                region.requireParameter(FLAGS_PARAMETER, "lanes", flags);
            }
            if (foundCapacity < 2 || foundCapacity > MAX_CAPACITY || Long.bitCount(foundCapacity) != 1
                    || foundMax < 0 || foundMax > MAX_MESSAGE_LENGTH
                    || fanIn && (foundFlags < 1 || Long.bitCount(foundFlags) != 1 || foundFlags > foundCapacity / 2)) {
                throw new QueueCorruptedException(region.file().path(), "header records capacity " + foundCapacity
                        + " and maximum message length " + foundMax + (fanIn ? " in " + foundFlags + " lanes" : ""));
            }
            region.requireBodySize(fanIn
                    ? QueueDescriptor.bodySize((int) foundCapacity, (int) foundMax, (int) foundFlags)
                    : QueueDescriptor.bodySize((int) foundCapacity, (int) foundMax));
            return region;
        } catch (RuntimeException e) {
            region.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- what subclasses implement

    /** A position to write, or {@link #NONE} when full; throws {@link QueueClosedException}. */
    abstract long tryClaim();

    /** Publishes the message written at {@code position}. */
    abstract void commit(long position, int length);

    /** Gives up a claimed position without publishing (the copy failed). */
    abstract void abandon(long position);

    /** A position to read, or {@link #NONE} when empty; throws {@link EndOfStreamException}. */
    abstract long tryAcquire();

    /**
     * Gives the slot at {@code position} back to producers and wakes them if parked. Here for the
     * single-consumer queues: one release store of head gives back every slot up to
     * {@code position}, and orders the consumer's reads before a producer may overwrite them
     * (paired with the producer's acquire load of head).
     */
    void release(long position) {
        Words.setLongRelease(body, HEAD_OFFSET, position + 1);
        signalNotFull();
    }

    /**
     * In a batch: the next position to read after {@code previous} (already acquired, not yet
     * released), or {@link #NONE}; end of stream is reported by the next call, not here.
     */
    abstract long tryAcquireNext(long previous);

    /**
     * In a batch, once the message at {@code position} was handled: nothing here, the batch goes
     * back at its end; a {@link JoinableQueue} gives each slot back at once.
     */
    void handledInBatch(long position) {
    }

    /**
     * At the end of a batch of the messages at {@code first} to {@code last}: gives back their
     * slots not yet given back, with at most one wake-up.
     */
    abstract void endBatch(long first, long last);

    // ---------------------------------------------------------------- sending

    /** Sends {@code message}, waiting while the queue is full. */
    public final void put(byte[] message) throws InterruptedException {
        put(message, 0, message.length);
    }

    /** Sends {@code length} bytes of {@code message} from {@code offset}, waiting while full. */
    public final void put(byte[] message, int offset, int length) throws InterruptedException {
        Objects.checkFromIndexSize(offset, length, message.length);
        sendArray(message, offset, length, claimOrWait(length, Long.MAX_VALUE));
    }

    /** Sends the remaining bytes of {@code message} (advancing its position), waiting while full. */
    public final void put(ByteBuffer message) throws InterruptedException {
        sendBuffer(message, claimOrWait(message.remaining(), Long.MAX_VALUE));
    }

    /** Sends the bytes of {@code message}, waiting while full. */
    public final void put(MemorySegment message) throws InterruptedException {
        sendSegment(message, claimOrWait(message.byteSize(), Long.MAX_VALUE));
    }

    /** Sends a string as UTF-8, waiting while full. */
    public final void putString(String message) throws InterruptedException {
        put(message.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends {@code message} if there is room now; false if full. */
    public final boolean offer(byte[] message) {
        return offer(message, 0, message.length);
    }

    public final boolean offer(byte[] message, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, message.length);
        return sendArray(message, offset, length, claimNow(length));
    }

    public final boolean offer(ByteBuffer message) {
        return sendBuffer(message, claimNow(message.remaining()));
    }

    public final boolean offer(MemorySegment message) {
        return sendSegment(message, claimNow(message.byteSize()));
    }

    /** Sends {@code message}, waiting at most {@code timeout} for room; false if there was none. */
    public final boolean offer(byte[] message, Duration timeout) throws InterruptedException {
        return sendArray(message, 0, message.length, claimOrWait(message.length, nanos(timeout)));
    }

    public final boolean offer(ByteBuffer message, Duration timeout) throws InterruptedException {
        return sendBuffer(message, claimOrWait(message.remaining(), nanos(timeout)));
    }

    public final boolean offer(MemorySegment message, Duration timeout) throws InterruptedException {
        return sendSegment(message, claimOrWait(message.byteSize(), nanos(timeout)));
    }

    private boolean sendArray(byte[] message, int offset, int length, long position) {
        if (position == NONE) {
            return false;
        }
        boolean copied = false;
        try {
            MemorySegment.copy(message, offset, body, ValueLayout.JAVA_BYTE, payloadOffset(position), length);
            copied = true;
        } finally {
            finishSend(position, length, copied);
        }
        return true;
    }

    private boolean sendBuffer(ByteBuffer message, long position) {
        if (position == NONE) {
            return false;
        }
        int length = message.remaining();
        boolean copied = false;
        try {
            long to = payloadOffset(position);
            if (message.hasArray()) {
                MemorySegment.copy(message.array(), message.arrayOffset() + message.position(), body,
                        ValueLayout.JAVA_BYTE, to, length);
            } else {
                MemorySegment.copy(MemorySegment.ofBuffer(message), 0, body, to, length);
            }
            copied = true;
        } finally {
            finishSend(position, length, copied);
        }
        message.position(message.limit()); // only once sent: a FanInQueue's commit may still refuse it
        return true;
    }

    private boolean sendSegment(MemorySegment message, long position) {
        if (position == NONE) {
            return false;
        }
        int length = (int) message.byteSize();
        boolean copied = false;
        try {
            MemorySegment.copy(message, 0, body, payloadOffset(position), length);
            copied = true;
        } finally {
            finishSend(position, length, copied);
        }
        return true;
    }

    private void finishSend(long position, int length, boolean copied) {
        if (copied) {
            commit(position, length);
        } else {
            abandon(position);
        }
    }

    private long claimNow(long length) {
        checkLength(length);
        return tryClaim();
    }

    private long claimOrWait(long length, long timeoutNanos) throws InterruptedException {
        checkLength(length);
        return slotOrWait(true, claimPauseNanos(), timeoutNanos);
    }

    /**
     * How long a blocked producer that found the queue full lets pass before it looks again: 0
     * here, where a producer sees freed slots only through its copy of head, refreshed when full,
     * and a consumer that drains stores head once per batch; a pause would only delay it
     * (measured: SpscQueue, 1 KiB, payload read, 8.0 M msg/s without it, 7.1 with 1 µs).
     * {@link MpmcQueue} overrides it.
     */
    long claimPauseNanos() {
        return 0;
    }

    private void checkLength(long length) {
        if (length > maxLength) {
            throw new MessageTooLongException(length, maxLength);
        }
    }

    // ---------------------------------------------------------------- receiving

    /** Receives the next message into a new array, waiting while the queue is empty. */
    public final byte[] take() throws InterruptedException {
        return toArray(acquireOrWait(Long.MAX_VALUE));
    }

    /** The next message in a new array, or null if the queue is empty now. */
    public final byte[] poll() {
        return toArray(tryAcquire());
    }

    /** The next message in a new array, waiting at most {@code timeout}; null if none came. */
    public final byte[] poll(Duration timeout) throws InterruptedException {
        return toArray(acquireOrWait(nanos(timeout)));
    }

    /** Receives a UTF-8 string, waiting while empty. */
    public final String takeString() throws InterruptedException {
        return new String(take(), StandardCharsets.UTF_8);
    }

    /**
     * Receives the next message into {@code destination} from offset 0, waiting while empty.
     *
     * @return the message length
     * @throws IllegalArgumentException if {@code destination} is shorter than {@link #maxMessageLength()}
     */
    public final int take(MemorySegment destination) throws InterruptedException {
        checkDestination(destination.byteSize());
        return copyOut(acquireOrWait(Long.MAX_VALUE), destination);
    }

    /** As {@link #take(MemorySegment)} but returns {@link #EMPTY} at once if the queue is empty. */
    public final int poll(MemorySegment destination) {
        checkDestination(destination.byteSize());
        return copyOut(tryAcquire(), destination);
    }

    /** As {@link #take(MemorySegment)}, waiting at most {@code timeout}; {@link #EMPTY} if none came. */
    public final int poll(MemorySegment destination, Duration timeout) throws InterruptedException {
        checkDestination(destination.byteSize());
        return copyOut(acquireOrWait(nanos(timeout)), destination);
    }

    /** Receives into {@code destination} from index 0, waiting while empty; returns the length. */
    public final int take(byte[] destination) throws InterruptedException {
        checkDestination(destination.length);
        return copyOut(acquireOrWait(Long.MAX_VALUE), destination);
    }

    /** Receives into {@code destination} from index 0; {@link #EMPTY} if the queue is empty now. */
    public final int poll(byte[] destination) {
        checkDestination(destination.length);
        return copyOut(tryAcquire(), destination);
    }

    /** As {@link #take(byte[])}, waiting at most {@code timeout}; {@link #EMPTY} if none came. */
    public final int poll(byte[] destination, Duration timeout) throws InterruptedException {
        checkDestination(destination.length);
        return copyOut(acquireOrWait(nanos(timeout)), destination);
    }

    /**
     * Receives into {@code destination} at its position (advancing it), waiting while empty.
     *
     * @throws IllegalArgumentException if fewer than {@link #maxMessageLength()} bytes remain in it
     */
    public final int take(ByteBuffer destination) throws InterruptedException {
        checkDestination(destination.remaining());
        return copyOut(acquireOrWait(Long.MAX_VALUE), destination);
    }

    /** As {@link #take(ByteBuffer)}; {@link #EMPTY} if the queue is empty now. */
    public final int poll(ByteBuffer destination) {
        checkDestination(destination.remaining());
        return copyOut(tryAcquire(), destination);
    }

    /** As {@link #take(ByteBuffer)}, waiting at most {@code timeout}; {@link #EMPTY} if none came. */
    public final int poll(ByteBuffer destination, Duration timeout) throws InterruptedException {
        checkDestination(destination.remaining());
        return copyOut(acquireOrWait(nanos(timeout)), destination);
    }

    /** Hands the next message to {@code handler} without copying; false if the queue is empty now. */
    public final boolean read(MessageHandler handler) {
        return handle(tryAcquire(), handler);
    }

    /** Hands the next message to {@code handler}, waiting at most {@code timeout}; false if none came. */
    public final boolean read(MessageHandler handler, Duration timeout) throws InterruptedException {
        return handle(acquireOrWait(nanos(timeout)), handler);
    }

    /**
     * Hands up to {@code limit} messages that are in the queue now to {@code handler}, without
     * copying and without waiting. The slots go back to producers as a batch, at the end of the
     * call, with at most one wake-up. An {@link MpmcQueue}'s batch is a run of adjacent messages:
     * it ends early where another consumer took the next one.
     *
     * @return how many were handled, 0 if the queue was empty
     * @throws EndOfStreamException if the queue is closed and nothing is left
     */
    public final int drain(MessageHandler handler, int limit) {
        if (limit <= 0) {
            return 0;
        }
        long position = tryAcquire();
        if (position == NONE) {
            return 0;
        }
        return drainFrom(position, handler, limit);
    }

    /** Handles the message at {@code first} and up to {@code limit - 1} more, releasing them as a batch. */
    private int drainFrom(long first, MessageHandler handler, int limit) {
        int count = 0;
        long position = first;
        try {
            while (true) {
                try {
                    handler.onMessage(readOnlyBody, payloadOffset(position), readLength(position));
                } finally {
                    // Received even if the handler threw.
                    count++;
                    handledInBatch(position);
                }
                if (count == limit) {
                    break;
                }
                long next = tryAcquireNext(position);
                if (next == NONE) {
                    break;
                }
                position = next;
            }
        } finally {
            endBatch(first, position);
        }
        return count;
    }

    /**
     * As {@link #drain(MessageHandler, int)}, first waiting at most {@code timeout} for one
     * message. Made for throughput: if the queue is empty, it looks again only after about a
     * microsecond, so that a batch can gather, then as {@link #take()} does. (A consumer that
     * chases a streaming producer message by message contends with it for the slot it is
     * writing, and slows both down to as little as a third.) For the lowest latency per message,
     * use {@code take}, {@code poll} or {@code read}.
     */
    public final int drain(MessageHandler handler, int limit, Duration timeout) throws InterruptedException {
        if (limit <= 0) {
            return 0;
        }
        long first = slotOrWait(false, BATCH_PAUSE_NANOS, nanos(timeout));
        if (first == NONE) {
            return 0;
        }
        return drainFrom(first, handler, limit);
    }

    private boolean handle(long position, MessageHandler handler) {
        if (position == NONE) {
            return false;
        }
        try {
            handler.onMessage(readOnlyBody, payloadOffset(position), readLength(position));
        } finally {
            release(position);
        }
        return true;
    }

    private byte[] toArray(long position) {
        if (position == NONE) {
            return null;
        }
        try {
            int length = readLength(position);
            byte[] message = new byte[length];
            MemorySegment.copy(body, ValueLayout.JAVA_BYTE, payloadOffset(position), message, 0, length);
            return message;
        } finally {
            release(position);
        }
    }

    private int copyOut(long position, MemorySegment destination) {
        if (position == NONE) {
            return EMPTY;
        }
        try {
            int length = readLength(position);
            MemorySegment.copy(body, payloadOffset(position), destination, 0, length);
            return length;
        } finally {
            release(position);
        }
    }

    private int copyOut(long position, byte[] destination) {
        if (position == NONE) {
            return EMPTY;
        }
        try {
            int length = readLength(position);
            MemorySegment.copy(body, ValueLayout.JAVA_BYTE, payloadOffset(position), destination, 0, length);
            return length;
        } finally {
            release(position);
        }
    }

    private int copyOut(long position, ByteBuffer destination) {
        if (position == NONE) {
            return EMPTY;
        }
        try {
            int length = readLength(position);
            if (destination.hasArray()) {
                MemorySegment.copy(body, ValueLayout.JAVA_BYTE, payloadOffset(position), destination.array(),
                        destination.arrayOffset() + destination.position(), length);
            } else {
                MemorySegment.copy(body, payloadOffset(position), MemorySegment.ofBuffer(destination), 0, length);
            }
            destination.position(destination.position() + length);
            return length;
        } finally {
            release(position);
        }
    }

    private void checkDestination(long room) {
        if (room < maxLength) {
            throw new IllegalArgumentException("destination holds " + room + " bytes, fewer than the queue's maximum message length "
                    + maxLength);
        }
    }

    private long acquireOrWait(long timeoutNanos) throws InterruptedException {
        return slotOrWait(false, 0, timeoutNanos);
    }

    /**
     * A slot to write (producer) or read (consumer): tries, spins for {@link #SPIN_NANOS} (the
     * first {@code pauseNanos} of it without looking, see {@link #BATCH_PAUSE_NANOS}), yields until
     * {@link #YIELD_UNTIL_NANOS} after the start, then parks; each phase is cut short by the
     * timeout.
     */
    private long slotOrWait(boolean producer, long pauseNanos, long timeoutNanos) throws InterruptedException {
        long position = producer ? tryClaim() : tryAcquire();
        if (position != NONE || timeoutNanos <= 0) {
            return position;
        }
        long start = System.nanoTime();
        long spinNanos = Math.min(SPIN_NANOS, timeoutNanos);
        long yieldNanos = Math.min(YIELD_UNTIL_NANOS, timeoutNanos);
        long waited;
        if (pauseNanos > 0) { // take, poll, read and most producers look again at once: no clock read
            long pause = Math.min(pauseNanos, spinNanos);
            while (System.nanoTime() - start < pause) {
                Thread.onSpinWait();
            }
        }
        do {
            for (int poll = 0; poll < POLLS_PER_CLOCK_READ; poll++) {
                Thread.onSpinWait();
                position = producer ? tryClaim() : tryAcquire();
                if (position != NONE) {
                    return position;
                }
            }
        } while ((waited = System.nanoTime() - start) < spinNanos);
        while (waited < yieldNanos) {
            Thread.yield();
            position = producer ? tryClaim() : tryAcquire();
            if (position != NONE) {
                return position;
            }
            waited = System.nanoTime() - start;
        }
        // A timeout spent spinning or yielding ends here, without arming a futex word for nothing.
        return timeoutNanos - waited > 0 ? parkForSlot(producer, timeoutNanos - waited) : NONE;
    }

    // ---------------------------------------------------------------- parking

    /**
     * Parks until a slot can be claimed (producer) or acquired (consumer), or the timeout passes.
     *
     * <p>Each side parks on its own futex word: a sequence number shifted left by two, a
     * {@link #FENCED} bit and a {@link #PARKED} bit. PARKED says "someone parked since the last
     * wake-up". The waiter sets it by CAS, tries once more, and parks on the value it wrote;
     * woken, it tries before setting the bit again. The other side publishes with a release
     * store, then reads the word; only if PARKED is set does it CAS the word to the next
     * sequence with both bits clear and wake every thread parked on it (retrying while the bit
     * stays set: a CAS lost to a waiter that marked FENCED does not excuse it). This is a Dekker
     * handshake: each side stores, then loads what the other stores, and no wake-up is lost as
     * long as at least one of the two loads sees the other side's store.
     *
     * <p>That needs a store-load fence on both sides. The waiter's CAS is one; the publisher's is
     * paid asymmetrically, because publishing is the hot path and parking the cold one: every
     * process using a queue registers for {@link Membarrier}, and a waiter that is about to park
     * calls {@link Membarrier#fenceRegisteredProcesses()} after PARKED is set and before its last
     * try. Each publisher's store-then-load either straddles that fence (the load then sees the
     * bit) or completed before it (the store is then visible to the last try). The waiter then
     * sets FENCED: a waiter that finds both bits set at the same sequence skips the system call,
     * since every publisher that missed the bit had its store made visible before FENCED was
     * written, and so before that waiter's try. So one membarrier call per parking of a side,
     * however many threads park. The publisher needs only program order between its store and
     * its load, which HotSpot keeps for release, acquire and volatile accesses to off-heap memory
     * (C2 brackets every non-plain Unsafe access with {@code MemBarCPUOrder}); a full fence there
     * would wait for the store to leave the store buffer, a cache miss when the other side holds
     * the line, a large part of a message's cost. Where membarrier is refused (an old kernel, a
     * seccomp filter), this process's publishers fence themselves, and its waiters park in 1 ms
     * slices as a safety net against publishers elsewhere that do not.
     *
     * <p>Why a bit and not a count of waiters: a count stays positive from the moment a waiter
     * registers until it has woken up and deregistered, tens of microseconds on a virtual machine,
     * and every publish in between would make a {@code FUTEX_WAKE} system call. The bit is
     * cleared by the first publisher to see it, so a parked side costs the other one system call
     * per parking, not one per message. Waking all rather than one keeps it correct with several
     * waiters: those that find nothing set the bit again and park again.
     *
     * <p>The waiters count beside each word is kept for observation (tests, diagnostics) only.
     */
    private long parkForSlot(boolean producer, long timeoutNanos) throws InterruptedException {
        long wordOffset = producer ? NOT_FULL_SEQUENCE_OFFSET : NOT_EMPTY_SEQUENCE_OFFSET;
        long waitingOffset = producer ? PRODUCERS_WAITING_OFFSET : CONSUMERS_WAITING_OFFSET;
        Deadline deadline = Deadline.afterNanos(timeoutNanos);
        Words.getAndAddInt(body, waitingOffset, 1);
        long slice = PARK_SLICE_NANOS;
        try {
            while (true) {
                // Try before setting the bit: after a wake-up there is usually something, and a
                // bit set needlessly costs the next publisher a system call.
                long position = producer ? tryClaim() : tryAcquire();
                if (position != NONE) {
                    return position;
                }
                long remaining = deadline.remainingNanos();
                if (remaining <= 0) {
                    return NONE;
                }
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                int word = Words.getIntVolatile(body, wordOffset);
                if ((word & PARKED) == 0) {
                    if (!Words.compareAndSetInt(body, wordOffset, word, word | PARKED)) {
                        continue; // a wake-up or another waiter changed the word: read it again
                    }
                    word |= PARKED;
                }
                if ((word & FENCED) == 0) {
                    if (!Membarrier.fenceRegisteredProcesses()) {
                        slice = UNFENCED_SLICE_NANOS;
                    } else if (Words.compareAndSetInt(body, wordOffset, word, word | FENCED)) {
                        word |= FENCED;
                    } // else the word changed: the futex wait below returns at once
                }
                position = producer ? tryClaim() : tryAcquire();
                if (position != NONE) {
                    return position;
                }
                stuckWatch.parking();
                Futex.awaitSlice(bodyAddress + wordOffset, word, remaining, slice);
            }
        } finally {
            Words.getAndAddInt(body, waitingOffset, -1);
        }
    }

    /** After a publish (a release store or a CAS): wakes the consumers if one parked. */
    final void signalNotEmpty() {
        wakeIfParked(NOT_EMPTY_SEQUENCE_OFFSET);
    }

    /** After giving slots back (a release store or a CAS): wakes the producers if one parked. */
    final void signalNotFull() {
        wakeIfParked(NOT_FULL_SEQUENCE_OFFSET);
    }

    private void wakeIfParked(long wordOffset) {
        fenceUnlessWaitersFence();
        int word = Words.getIntVolatile(body, wordOffset);
        // Only the publisher whose CAS clears the bit makes the system call. A CAS that fails
        // because a waiter marked FENCED (or set PARKED again) is retried, not taken for someone
        // else's wake-up: a publisher that saw the bit answers for that waiter, whose last look
        // may have missed this publisher's store (both came after the waiter's membarrier, so
        // nothing orders the store before that look), and which then parks on the word it
        // marked. A CAS that fails because another publisher moved the sequence on finds the
        // bit clear: done.
        while ((word & PARKED) != 0) {
            int witness = Words.compareAndExchangeInt(body, wordOffset, word, (word | PARKED | FENCED) + 1);
            if (witness == word) {
                Futex.wakeAll(bodyAddress + wordOffset);
                return;
            }
            word = witness;
        }
    }

    /**
     * Between a publisher's store and its load of what the other side stores (see
     * {@link #parkForSlot}): nothing where waiters fence this process with membarrier, a full
     * fence where they cannot.
     */
    static void fenceUnlessWaitersFence() {
        if (!Publishing.FENCE_FREE) {
            VarHandle.fullFence(); // no membarrier here: the store before must not pass the load after
        }
    }

    /** Wakes every parked producer and consumer, whatever the bits say (close, recovery from a dead process). */
    final void signalAll() {
        wakeAll(NOT_EMPTY_SEQUENCE_OFFSET);
        wakeAll(NOT_FULL_SEQUENCE_OFFSET);
    }

    private void wakeAll(long wordOffset) {
        Words.getAndAddInt(body, wordOffset, SEQUENCE_ONE); // the next sequence, the bits as they were
        Futex.wakeAll(bodyAddress + wordOffset);
    }

    // ---------------------------------------------------------------- single-consumer rings

    /**
     * Ends a batch read from a single-consumer ring (an {@link SpscQueue}, an {@link MpscQueue},
     * a {@link FanInQueue} lane): marks {@code end} as the batch end, writes zeros over the slots
     * of positions {@code head .. end - 1} (slots {@code ringStart ..} of a ring of
     * {@code ringSlots}) up to the end of each message, state words included unless
     * {@code statesStay}, then gives them back by storing {@code end} as head. Why and how it
     * survives a kill: {@link SpscQueue}'s notes.
     */
    final void giveBackZeroed(long headOffset, long batchEndOffset, long end, long ringStart, long ringSlots,
                              boolean statesStay) {
        long first = Words.getLong(body, headOffset); // the consumer's own word: the batch began there
        Words.setLongOpaque(body, batchEndOffset, end);
        VarHandle.storeStoreFence(); // the mark before any zero
        // Up to the end of each message, not of its slot (messages may be far below the maximum),
        // in one copy for each run of adjacent ranges (full slots make one run up to the wrap).
        long runStart = 0;
        long runEnd = 0;
        for (long position = first; position != end; position++) {
            long slotIndex = ringStart + (position & (ringSlots - 1));
            long slot = slotOffset(slotIndex);
            if (!statesStay) {
                // Whole, before the copy, which may write a word piecewise: a successor and the
                // next lap judge the slot by it.
                Words.setLong(body, slot + SLOT_STATE_OFFSET, 0);
            }
            long from = statesStay ? slot + SLOT_LENGTH_OFFSET : slot;
            if (from != runEnd) {
                zero(runStart, runEnd - runStart);
                runStart = from;
            }
            runEnd = slot + SLOT_PAYLOAD_OFFSET + bytesToZero(slotIndex);
        }
        zero(runStart, runEnd - runStart);
        giveBack(headOffset, end);
    }

    /**
     * For the producer that repairs the tail of an SPSC-style ring after a producer was killed
     * publishing {@code position} (whose slot holds {@code sequence}, loaded with acquire):
     * whether that message was published. The slot says so, or, if a consumer has drained it
     * since and zeroed the sequence, the consumer's batch end is past it: the batch end is
     * stored before any zero (a message read singly keeps its sequence).
     */
    final boolean publishedBeforeRepair(long sequence, long position, long batchEndOffset) {
        return sequence == position + 1 || Words.getLongAcquire(body, batchEndOffset) - position > 0;
    }

    /** Writes zeros over the length and payload of the message at {@code position}. */
    final void zeroMessage(long position) {
        zero(slotOffset(position) + SLOT_LENGTH_OFFSET,
                SLOT_PAYLOAD_OFFSET - SLOT_LENGTH_OFFSET + bytesToZero(position));
    }

    /**
     * How much of the payload of the slot of {@code position} to zero: the message's length
     * rounded up to a word, and never past the slot. A length outside 0..max is not thrown on
     * here: the handler's caller has already thrown on it, and the batch must still be given
     * back (a consumer that kept an {@link MpmcQueue}'s slots would hold them while it lives).
     */
    private long bytesToZero(long position) {
        int length = storedLength(position);
        return ((Integer.compareUnsigned(length, maxLength) <= 0 ? length : maxLength) + 7L) & ~7L;
    }

    /** Stores head (release) and wakes a parked producer. */
    private void giveBack(long headOffset, long head) {
        Words.setLongRelease(body, headOffset, head);
        signalNotFull();
    }

    /**
     * Writes zeros over {@code bytes} bytes at {@code offset}, allocating nothing (a fill of a
     * slice allocates the slice): copies of {@link #ZEROS}, through the JDK's bulk copy. A loop
     * of long stores did no better: 0.53, 0.86, 0.84, 0.92 of Agrona's many-to-one ring against
     * 0.75, 0.92, 0.91, 0.89 (FanInQueue, 1 KiB ignored, alternating runs of 2 forks).
     */
    private void zero(long offset, long bytes) {
        while (bytes > 0) {
            long run = Math.min(bytes, ZEROS.byteSize());
            MemorySegment.copy(ZEROS, 0, body, offset, run);
            offset += run;
            bytes -= run;
        }
    }

    /**
     * A consumer's look at {@code head} of an SPSC-style ring (an {@link SpscQueue}, a
     * {@link FanInQueue} lane; slots {@code ringStart ..} of a ring of {@code ringSlots}): if a
     * consumer was killed giving back a batch (its batch end is past head), gives the batch back
     * for it and returns the new head. {@code lane} is the FanInQueue lane, -1 for an SpscQueue
     * (for the message).
     *
     * @throws QueueCorruptedException if head and the batch end cannot be those of a batch
     */
    final long headAfterUnfinishedBatch(long head, long headOffset, long batchEndOffset, long tailOffset,
                                        long ringStart, long ringSlots, int lane) {
        long end = Words.getLongOpaque(body, batchEndOffset); // on head's line: no extra miss
        if (end - head <= 0) {
            return head;
        }
        // A batch was published (up to tail, or one past it if a producer was killed between
        // publishing and storing tail, SpscQueue's notes) and fits in the ring; its first slot is
        // still published at head, or zeroed.
        long tailWord = Words.getLongAcquire(body, tailOffset);
        long tail = spscTailPosition(tailWord);
        long lag = tailWord == tail ? 0 : 1;
        long sequence = Words.getLongAcquire(body, slotOffset(ringStart + (head & (ringSlots - 1))) + SLOT_STATE_OFFSET);
        return finishUnfinishedBatch(head, end, headOffset,
                end - head <= ringSlots && end - head <= tail + lag - head && (sequence == 0 || sequence == head + 1),
                (lane < 0 ? "" : "lane " + lane + ": ") + "tail " + tail + ", sequence " + sequence + " at head");
    }

    /**
     * Gives back, for a consumer killed doing it, the batch up to {@code end} past {@code head},
     * if {@code plausible} (else throws, naming the {@code evidence}), and returns the new head.
     * Called only when the batch end is past head: a rare path, where building the message costs nothing.
     */
    final long finishUnfinishedBatch(long head, long end, long headOffset, boolean plausible, String evidence) {
        if (!plausible) {
            throw corrupted("head " + head + " and batch end " + end + " are not those of a batch being given back ("
                    + evidence + ")");
        }
        giveBack(headOffset, end);
        return end;
    }

    // ---------------------------------------------------------------- slots

    final long slotOffset(long position) {
        return SLOTS_OFFSET + (position & mask) * slotSize;
    }

    final long payloadOffset(long position) {
        return slotOffset(position) + SLOT_PAYLOAD_OFFSET;
    }

    /** The length of the message at {@code position}, checked to keep every read inside its slot. */
    final int readLength(long position) {
        int length = storedLength(position);
        if (length < 0 || length > maxLength) {
            throw corrupted("message at position " + position + " has length " + length + ", outside 0.." + maxLength);
        }
        return length;
    }

    /** The length word of the slot of {@code position}, as it is (possibly corrupted). */
    private int storedLength(long position) {
        return body.get(ValueLayout.JAVA_INT, slotOffset(position) + SLOT_LENGTH_OFFSET);
    }

    final void writeLength(long position, int length) {
        body.set(ValueLayout.JAVA_INT, slotOffset(position) + SLOT_LENGTH_OFFSET, length);
    }

    final QueueCorruptedException corrupted(String problem) {
        return new QueueCorruptedException(region.file().path(), problem);
    }

    /** For queues whose slot states record pids: refuses a process whose pid does not fit (and unmaps). */
    final void requirePidFits() {
        if (MY_PID == 0) {
            region.close();
            throw new UnsupportedOperationException("pid " + ProcessIdentity.current().pid() + " does not fit in "
                    + PID_BITS + " bits (Linux pids are below 2^22)");
        }
    }

    private static int pidForSlotStates(long pid) {
        return pid == (pid & PID_MASK) ? (int) pid : 0;
    }

    final boolean closed() {
        return Words.getIntVolatile(body, CLOSED_OFFSET) != 0;
    }

    final QueueClosedException closedForSending() {
        return new QueueClosedException(region.file() + " is closed for sending");
    }

    final EndOfStreamException endOfStream() {
        return new EndOfStreamException(region.file() + " is closed for sending and drained");
    }

    // ---------------------------------------------------------------- state

    /** Capacity in messages. */
    public final int capacity() {
        return capacity;
    }

    /** The longest message, in bytes. */
    public final int maxMessageLength() {
        return maxLength;
    }

    public final int remainingCapacity() {
        return capacity - size();
    }

    public final boolean isEmpty() {
        return size() == 0;
    }

    public final boolean isFull() {
        return size() >= capacity;
    }

    /**
     * Messages in the queue (a snapshot, exact when nobody sends or receives): tail minus head,
     * read in that order and clamped to 0..capacity. In an MpscQueue or MpmcQueue, claimed
     * messages not yet published count; in a FanInQueue, the sum over its lanes.
     */
    public final int size() {
        return (int) Math.max(0, Math.min(capacity, queuedNow()));
    }

    /** What {@link #size()} reports before clamping: {@code tail - head} of the queue's counters. */
    long queuedNow() {
        long tail = Words.getLongVolatile(body, TAIL_OFFSET);
        long head = Words.getLongVolatile(body, HEAD_OFFSET);
        return queued(tail, head);
    }

    /** {@code tail - head}, from the tail word as this kind of queue stores it. */
    long queued(long tailWord, long head) {
        return tailWord - head;
    }

    /**
     * On open: checks that {@code head >= 0} and {@code minQueued <= tail - head <= capacity};
     * otherwise unmaps and throws {@link QueueCorruptedException}. Head and tail are read as a
     * pair that was current at one instant (head, tail, then head again until head has not
     * moved; head only grows), so that a queue opened while others use it is never taken for a
     * corrupt one: tail read before a head that has since overtaken it would look like one.
     *
     * @return the head it checked
     */
    final long checkCounters(long minQueued) {
        return checkCounters("", HEAD_OFFSET, TAIL_OFFSET, minQueued, capacity);
    }

    /** As {@link #checkCounters(long)}, for the counters at these offsets ({@code where} names them in the message). */
    final long checkCounters(String where, long headOffset, long tailOffset, long minQueued, long maxQueued) {
        long head;
        long tail;
        do {
            head = Words.getLongVolatile(body, headOffset);
            tail = Words.getLongVolatile(body, tailOffset);
        } while (Words.getLongVolatile(body, headOffset) != head);
        long queued = queued(tail, head);
        if (head < 0 || queued < minQueued || queued > maxQueued) {
            region.close();
            throw new QueueCorruptedException(region.file().path(), where + "head " + head + " and tail word " + tail
                    + " give tail - head = " + queued + ", outside " + minQueued + ".." + maxQueued);
        }
        return head;
    }

    /**
     * Closes the queue for sending, for every process: sends from now on throw
     * {@link QueueClosedException}, blocked senders wake and throw it, receivers get what was sent
     * before and then {@link EndOfStreamException}. Idempotent; cannot be undone.
     */
    public final void closeForSending() {
        Words.setIntVolatile(body, CLOSED_OFFSET, 1);
        signalAll();
    }

    /** Whether {@link #closeForSending()} was called, by any process. */
    public final boolean isClosedForSending() {
        return closed();
    }

    /** Recovery counters, shared by all processes. */
    public final QueueStats stats() {
        return new QueueStats(Words.getLongVolatile(body, SKIPPED_CLAIMS_OFFSET),
                Words.getLongVolatile(body, ABANDONED_READS_OFFSET));
    }

    /** The file. */
    public final ShmFile file() {
        return region.file();
    }

    /** Removes the queue's name; open handles keep working. */
    public final boolean unlink() {
        return region.unlink();
    }

    /** Unmaps this handle (it does not close the queue for sending: see {@link #closeForSending()}). */
    @Override
    public void close() {
        region.close();
    }

    static long nanos(Duration timeout) {
        try {
            return timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            return timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + region.file() + ", capacity " + capacity + ", max " + maxLength + " bytes]";
    }
}
