package io.jshm.benchmarks.queue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Binds the calling thread to one CPU ({@code sched_setaffinity(2)} on the thread, not its
 * process), for the round trips measured with {@code cpus=pinned}: the sending thread and the
 * peer's echoing thread each get a CPU of their own, as latency-critical deployments arrange with
 * {@code taskset} or {@code isolcpus}. The JVMs' other threads stay free to run anywhere.
 */
final class CpuAffinity {
    /** For a thread left where the scheduler puts it. */
    static final int ANY_CPU = -1;
    /** The size of glibc's {@code cpu_set_t}: 1024 CPUs. */
    private static final long CPU_SET_BYTES = 128;
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** {@code int sched_getaffinity(pid_t, size_t, cpu_set_t *)}, pid 0 being the calling thread. */
    private static final MethodHandle GET = affinityCall("sched_getaffinity");
    /** {@code int sched_setaffinity(pid_t, size_t, const cpu_set_t *)}. */
    private static final MethodHandle SET = affinityCall("sched_setaffinity");

    private CpuAffinity() {
    }

    private static MethodHandle affinityCall(String name) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().findOrThrow(name),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS),
                Linker.Option.captureCallState("errno"));
    }

    /** The CPUs the calling thread may run on, in increasing order. */
    static int[] allowedCpus() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(CPU_SET_BYTES, 8);
            call(GET, set, arena, "sched_getaffinity");
            return IntStream.range(0, (int) CPU_SET_BYTES * 8)
                    .filter(cpu -> (set.get(ValueLayout.JAVA_BYTE, cpu / 8) & (1 << (cpu % 8))) != 0).toArray();
        }
    }

    /** Lets the calling thread run on {@code cpu} only. */
    static void pinCurrentThread(int cpu) {
        if (cpu < 0 || cpu >= CPU_SET_BYTES * 8) {
            throw new IllegalArgumentException("cpu " + cpu + " is not in 0.." + (CPU_SET_BYTES * 8 - 1));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(CPU_SET_BYTES, 8);
            set.set(ValueLayout.JAVA_BYTE, cpu / 8, (byte) (1 << (cpu % 8)));
            call(SET, set, arena, "sched_setaffinity to CPU " + cpu);
        }
    }

    /**
     * For a round trip's {@code cpus} parameter: if {@code pinned}, binds the calling thread, the
     * sender, to the first CPU it may run on and returns the second, for the echoing threads of the
     * peers; for any other value, does nothing and returns {@link #ANY_CPU}. Call it on the thread
     * that sends: JMH runs a trial's setup on the thread that then runs the benchmark method.
     */
    static int pinSenderAndChoosePeerCpu(String cpus) {
        if (!"pinned".equals(cpus)) {
            return ANY_CPU;
        }
        int[] allowed = allowedCpus();
        if (allowed.length < 2) {
            throw new IllegalStateException("cpus=pinned needs two CPUs, one for the sending thread and one for the echoing"
                    + " peer; this process may run on CPU " + Arrays.toString(allowed) + " only");
        }
        pinCurrentThread(allowed[0]);
        return allowed[1];
    }

    private static void call(MethodHandle handle, MemorySegment set, Arena arena, String what) {
        MemorySegment callState = arena.allocate(CALL_STATE);
        int result;
        try {
            result = (int) handle.invokeExact(callState, 0, CPU_SET_BYTES, set);
        } catch (Throwable e) {
            throw new IllegalStateException(what + " could not be called", e);
        }
        if (result != 0) {
            throw new IllegalStateException(what + " failed, errno " + (int) ERRNO.get(callState, 0L));
        }
    }
}
