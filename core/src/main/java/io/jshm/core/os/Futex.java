package io.jshm.core.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.LongAdder;

/**
 * The Linux futex on a 32-bit word of shared memory: {@link #await} parks the calling thread
 * while the word holds an expected value, {@link #wake} unparks threads parked on the word.
 *
 * <p>The operations are the non-private {@code FUTEX_WAIT} and {@code FUTEX_WAKE}, keyed by the
 * physical page, so that threads of different processes mapping the same file meet on the same
 * word. Callers pass the raw address ({@code segment.address() + offset}), not a segment: a
 * thread parked in a downcall holding a shared arena's segment would keep that arena from
 * closing.
 *
 * <p>A futex wait may return for no reason at all (a spurious wake-up, a signal): callers always
 * re-check their condition in a loop. On an OS other than Linux on x86_64 or aarch64, the first
 * call throws {@link UnsupportedOperationException}.
 */
public final class Futex {
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** Every futex system call this JVM made: lets tests show that a fast path makes none. */
    private static final LongAdder SYSTEM_CALLS = new LongAdder();
    /** Slices of {@link #awaitSlice} that ran out while their caller had longer to wait. */
    private static final LongAdder SLICES_RUN_OUT = new LongAdder();

    /** Why {@link #await} returned. None of them promises the condition the caller waits for. */
    public enum WaitResult {
        /** A {@link #wake} reached this thread (or the kernel woke it spuriously). */
        WOKEN,
        /** The word no longer held the expected value when the kernel looked ({@code EAGAIN}). */
        VALUE_CHANGED,
        /** The timeout passed ({@code ETIMEDOUT}). */
        TIMED_OUT,
        /** A signal interrupted the wait ({@code EINTR}). */
        INTERRUPTED
    }

    private Futex() {
    }

    /**
     * Parks the calling thread while the int at {@code address} equals {@code expected}, for at
     * most {@code timeoutNanos}.
     *
     * @param address      the address of a 4-byte aligned int in shared memory
     * @param expected     the value the caller saw; the kernel compares it atomically with parking
     * @param timeoutNanos the longest wait, at least 1; {@link Long#MAX_VALUE} waits without bound
     * @return why the wait ended
     * @throws IllegalArgumentException if the timeout is not positive or the address misaligned
     * @throws UnsupportedOperationException if this OS has no futex
     */
    public static WaitResult await(long address, int expected, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos must be positive, was " + timeoutNanos);
        }
        checkAligned(address);
        Libc.requireSupportedOs();
        Libc.Scratch scratch = Libc.Scratch.get();
        MemorySegment timeout = MemorySegment.NULL;
        if (timeoutNanos != Long.MAX_VALUE) {
            timeout = scratch.timespec;
            timeout.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / NANOS_PER_SECOND);
            timeout.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % NANOS_PER_SECOND);
        }
        long result = invoke(scratch, address, FUTEX_WAIT, expected, timeout);
        if (result == 0) {
            return WaitResult.WOKEN;
        }
        int errno = scratch.errno();
        return switch (errno) {
            case Libc.EAGAIN -> WaitResult.VALUE_CHANGED;
            case Libc.ETIMEDOUT -> WaitResult.TIMED_OUT;
            case Libc.EINTR -> WaitResult.INTERRUPTED;
            default -> throw new IllegalStateException(
                    "futex wait on address 0x" + Long.toHexString(address) + " failed, errno " + errno);
        };
    }

    /**
     * {@link #await} for a caller that waits in slices, to look at interrupts, deadlines or dead
     * processes between them: waits at most {@code min(remainingNanos, sliceNanos)}.
     * A slice that runs out while the caller had longer to wait is counted
     * ({@link #slicesRunOutCount()}): where every waiter is woken when its condition changes,
     * that count stays 0, so a test can show that no wake-up was lost to the slice's safety net.
     *
     * @param remainingNanos how much longer the caller will wait in all, at least 1
     * @param sliceNanos     the longest single wait, at least 1
     */
    public static WaitResult awaitSlice(long address, int expected, long remainingNanos, long sliceNanos) {
        WaitResult result = await(address, expected, Math.min(remainingNanos, sliceNanos));
        if (result == WaitResult.TIMED_OUT && remainingNanos > sliceNanos) {
            SLICES_RUN_OUT.increment();
        }
        return result;
    }

    /**
     * Wakes at most {@code count} threads parked on the int at {@code address}, in any process.
     *
     * @return how many threads were woken
     */
    public static int wake(long address, int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive, was " + count);
        }
        checkAligned(address);
        Libc.requireSupportedOs();
        Libc.Scratch scratch = Libc.Scratch.get();
        long result = invoke(scratch, address, FUTEX_WAKE, count, MemorySegment.NULL);
        if (result < 0) {
            throw new IllegalStateException(
                    "futex wake on address 0x" + Long.toHexString(address) + " failed, errno " + scratch.errno());
        }
        return (int) result;
    }

    /** Wakes every thread parked on the int at {@code address}. */
    public static int wakeAll(long address) {
        return wake(address, Integer.MAX_VALUE);
    }

    /** The number of futex system calls made by this JVM so far (all threads). */
    public static long systemCallCount() {
        return SYSTEM_CALLS.sum();
    }

    /** How many slices of {@link #awaitSlice} in this JVM ran out while their caller had longer to wait. */
    public static long slicesRunOutCount() {
        return SLICES_RUN_OUT.sum();
    }

    private static long invoke(Libc.Scratch scratch, long address, int op, int value, MemorySegment timeout) {
        SYSTEM_CALLS.increment();
        try {
            return (long) Libc.Linked.SYSCALL_FUTEX.invokeExact(
                    scratch.callState, Libc.Linked.SYS_FUTEX, address, op, value, timeout);
        } catch (Throwable t) {
            throw new IllegalStateException("futex downcall failed", t);
        }
    }

    private static void checkAligned(long address) {
        if ((address & 3) != 0 || address == 0) {
            throw new IllegalArgumentException("futex address must be a non-null, 4-byte aligned address, was 0x"
                    + Long.toHexString(address));
        }
    }
}
