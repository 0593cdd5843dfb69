package io.jshm.core.os;

import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MembarrierTest {
    /** Linux 4.16 brought MEMBARRIER_CMD_GLOBAL_EXPEDITED; the queues fence themselves without it. */
    private static boolean kernelHasGlobalExpedited() {
        Matcher version = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        assertTrue(version.find(), "os.version " + System.getProperty("os.version"));
        int major = Integer.parseInt(version.group(1));
        int minor = Integer.parseInt(version.group(2));
        return major > 4 || (major == 4 && minor >= 16);
    }

    @Test
    void registersWhereTheKernelOffersItAndThenFencesEveryTime() {
        boolean registered = Membarrier.registerProcess();
        assertEquals(kernelHasGlobalExpedited(), registered, "kernel " + System.getProperty("os.version"));
        assertEquals(registered, Membarrier.registerProcess(), "registration is once per process");
        for (int i = 0; i < 1_000; i++) {
            assertEquals(registered, Membarrier.fenceRegisteredProcesses());
        }
    }
}
