package io.jshm.core.os;

/**
 * An asymmetric memory fence across processes, through Linux {@code membarrier(2)}: a thread that
 * calls {@link #fenceRegisteredProcesses()} makes every thread of every registered process execute
 * a full memory fence before the call returns (an interrupt on each CPU running one of them; a
 * thread not running has passed through the fence of its context switch).
 *
 * <p>It lets a fast path that runs millions of times a second go without a fence of its own, as
 * long as the rare slow path that must be ordered against it pays for one here instead. The
 * classic use is the lost-wake-up handshake: a publisher stores data, then reads "is anyone
 * parked?"; a waiter sets "parked", then reads the data. Without fences, the publisher's load can
 * overtake its store (x86 store buffer), and both miss each other. With this class, the waiter
 * sets "parked", calls {@link #fenceRegisteredProcesses()}, then reads: either the publisher's
 * load came after the fence and sees "parked", or its store is visible to the waiter's read. The
 * publisher still needs its store and load kept in program order by the compiler (HotSpot keeps
 * release, acquire, opaque and volatile accesses to off-heap memory in order).
 *
 * <p>Command {@code MEMBARRIER_CMD_GLOBAL_EXPEDITED}, Linux 4.16 and later. Where the kernel or
 * a seccomp filter refuses it, {@link #registerProcess()} and {@link #fenceRegisteredProcesses()}
 * return false, and callers must fall back to fences of their own.
 */
public final class Membarrier {
    private static final int CMD_QUERY = 0;
    private static final int CMD_GLOBAL_EXPEDITED = 1 << 1;
    private static final int CMD_REGISTER_GLOBAL_EXPEDITED = 1 << 2;

    private Membarrier() {
    }

    /**
     * Registers this process, once, as one whose threads {@link #fenceRegisteredProcesses()}
     * fences; returns whether it is (false where the kernel does not offer the command).
     */
    public static boolean registerProcess() {
        Libc.requireSupportedOs();
        return Registration.REGISTERED;
    }

    /**
     * Executes a full memory fence on every running thread of every registered process, this
     * one's included. A system call of a few microseconds: for slow paths only.
     *
     * @return false if the kernel refused, in which case nothing was fenced
     */
    public static boolean fenceRegisteredProcesses() {
        return Registration.SUPPORTED && call(CMD_GLOBAL_EXPEDITED) == 0;
    }

    private static long call(int command) {
        Libc.requireSupportedOs();
        Libc.Scratch scratch = Libc.Scratch.get();
        try {
            return (long) Libc.Linked.SYSCALL_MEMBARRIER.invokeExact(
                    scratch.callState, Libc.Linked.SYS_MEMBARRIER, command, 0, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("membarrier downcall failed", t);
        }
    }

    /** Queried and registered at first use, once per process. */
    private static final class Registration {
        static final boolean SUPPORTED;
        static final boolean REGISTERED;

        static {
            long commands = call(CMD_QUERY);
            SUPPORTED = commands > 0 && (commands & (CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED))
                    == (CMD_GLOBAL_EXPEDITED | CMD_REGISTER_GLOBAL_EXPEDITED);
            REGISTERED = SUPPORTED && call(CMD_REGISTER_GLOBAL_EXPEDITED) == 0;
        }

        private Registration() {
        }
    }
}
