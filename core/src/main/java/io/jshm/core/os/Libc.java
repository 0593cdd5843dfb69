package io.jshm.core.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * The few libc functions jshm calls, as FFM downcalls. Linked lazily: on an OS without them the
 * first use throws {@link UnsupportedOperationException} naming the OS, never a crash at class
 * load.
 */
final class Libc {
    static final int ESRCH = 3;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOSPC = 28;
    static final int ETIMEDOUT = 110;
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;

    static final String OS = System.getProperty("os.name") + " " + System.getProperty("os.arch");

    private Libc() {
    }

    /** Why libc cannot be used here, or null on a supported OS; checked before anything links. */
    private static final String UNSUPPORTED = unsupportedReason();

    /** Throws the one clear exception on an OS jshm does not support; call before {@link Linked}. */
    static void requireSupportedOs() {
        if (UNSUPPORTED != null) {
            throw new UnsupportedOperationException(UNSUPPORTED);
        }
    }

    private static String unsupportedReason() {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")) {
            return "jshm needs Linux (futex, /proc); this JVM runs on " + OS;
        }
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64", "aarch64", "arm64" -> null;
            default -> "jshm knows the futex system call number of x86_64 and aarch64 only; this JVM runs on " + OS;
        };
    }

    /** The linked handles; loaded only after {@link #requireSupportedOs()} passed. */
    static final class Linked {
        static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO =
                CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        /** {@code SYS_futex}: 202 on x86_64, 98 on aarch64 (asm-generic numbering). */
        static final long SYS_FUTEX = switch (System.getProperty("os.arch")) {
            case "aarch64", "arm64" -> 98;
            default -> 202;
        };

        /** {@code SYS_membarrier}: 324 on x86_64, 283 on aarch64. */
        static final long SYS_MEMBARRIER = switch (System.getProperty("os.arch")) {
            case "aarch64", "arm64" -> 283;
            default -> 324;
        };

        /** {@code long syscall(long number, ...)} with the five futex arguments. */
        static final MethodHandle SYSCALL_FUTEX;
        /** {@code long syscall(long number, ...)} with the three membarrier arguments. */
        static final MethodHandle SYSCALL_MEMBARRIER;
        /** {@code int open(const char *path, int flags, ...)}. */
        static final MethodHandle OPEN;
        /** {@code int posix_fallocate(int fd, off_t offset, off_t len)}: returns the error number. */
        static final MethodHandle POSIX_FALLOCATE;
        /** {@code int close(int fd)}. */
        static final MethodHandle CLOSE;
        /** {@code int kill(pid_t pid, int sig)}. */
        static final MethodHandle KILL;

        static {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            SYSCALL_FUTEX = linker.downcallHandle(
                    libc.findOrThrow("syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.ADDRESS),
                    Linker.Option.firstVariadicArg(1), errno);
            SYSCALL_MEMBARRIER = linker.downcallHandle(
                    libc.findOrThrow("syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(1), errno);
            OPEN = linker.downcallHandle(
                    libc.findOrThrow("open"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
                    errno);
            POSIX_FALLOCATE = linker.downcallHandle(
                    libc.findOrThrow("posix_fallocate"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
            CLOSE = linker.downcallHandle(
                    libc.findOrThrow("close"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            KILL = linker.downcallHandle(
                    libc.findOrThrow("kill"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    errno);
        }

        private Linked() {
        }
    }

    /** Per-thread scratch memory for system calls: a timespec and the captured errno. */
    static final class Scratch {
        private static final ThreadLocal<Scratch> PER_THREAD = ThreadLocal.withInitial(Scratch::new);

        final MemorySegment timespec;
        final MemorySegment callState;

        private Scratch() {
            Arena arena = Arena.ofAuto();
            timespec = arena.allocate(16, 8);
            callState = arena.allocate(Linked.CALL_STATE);
        }

        static Scratch get() {
            return PER_THREAD.get();
        }

        int errno() {
            return (int) Linked.ERRNO.get(callState, 0L);
        }
    }
}
