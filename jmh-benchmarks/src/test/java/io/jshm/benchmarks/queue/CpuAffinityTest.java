package io.jshm.benchmarks.queue;

import org.junit.jupiter.api.Test;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pinning of {@code cpus=pinned}: of the calling thread only, to the CPU asked for. */
class CpuAffinityTest {
    @Test
    void pinsTheCallingThreadOnlyToEachAllowedCpu() throws Exception {
        int[] before = CpuAffinity.allowedCpus();
        assertTrue(before.length > 0);
        for (int cpu : before) {
            int[] pinned = onFreshThread(() -> {
                CpuAffinity.pinCurrentThread(cpu);
                return CpuAffinity.allowedCpus();
            });
            assertArrayEquals(new int[] {cpu}, pinned);
        }
        assertArrayEquals(before, CpuAffinity.allowedCpus(), "another thread's pinning changed this thread's CPUs");
    }

    @Test
    void pinnedRoundTripsGiveTheSenderTheFirstCpuAndThePeerTheSecond() throws Exception {
        int[] allowed = CpuAffinity.allowedCpus();
        if (allowed.length < 2) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> onFreshThread(() -> CpuAffinity.pinSenderAndChoosePeerCpu("pinned")));
            assertTrue(e.getMessage().contains("needs two CPUs"), e.getMessage());
            return;
        }
        int[] senderAndPeer = onFreshThread(() -> {
            int peer = CpuAffinity.pinSenderAndChoosePeerCpu("pinned");
            int[] sender = CpuAffinity.allowedCpus();
            return new int[] {sender.length == 1 ? sender[0] : -2, peer};
        });
        assertArrayEquals(new int[] {allowed[0], allowed[1]}, senderAndPeer);
    }

    @Test
    void freeRoundTripsLeaveTheThreadAlone() throws Exception {
        int[] before = CpuAffinity.allowedCpus();
        assertEquals(CpuAffinity.ANY_CPU, onFreshThread(() -> CpuAffinity.pinSenderAndChoosePeerCpu("free")));
        assertArrayEquals(before, CpuAffinity.allowedCpus());
    }

    @Test
    void aCpuOutsideTheSetIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(1024));
        assertTrue(e.getMessage().contains("cpu 1024"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.pinCurrentThread(-1));
    }

    /** Runs {@code task} on a thread of its own, so that pinning it leaves the test's thread as it was. */
    private static <T> T onFreshThread(Callable<T> task) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            return thread.submit(task).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            thread.shutdownNow();
        }
    }
}
