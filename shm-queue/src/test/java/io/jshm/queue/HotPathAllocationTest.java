package io.jshm.queue;

import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The send and zero-copy receive paths allocate nothing once compiled (JMH -prof gc says the same). */
class HotPathAllocationTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static final MessageHandler IGNORE = (buffer, offset, length) -> { };

    @ParameterizedTest
    @EnumSource(QueueKind.class)
    void offerPollAndDrainAllocateNothing(QueueKind kind) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (ShmQueue q = kind.create(ShmFile.of(dir, "q"), 64, 64); Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(64);
            MemorySegment into = arena.allocate(64);
            byte[] array = new byte[64];
            int rounds = 20_000;
            long allocated = 0;
            for (int pass = 0; pass < 10; pass++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < rounds; i++) {
                    q.offer(message);
                    q.offer(array, 0, 17);
                    q.poll(into);
                    q.poll(array);
                    q.offer(message);
                    q.drain(IGNORE, 8);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            // Last pass, after the JIT had nine to compile: well under one byte per operation.
            assertTrue(allocated < rounds, kind + ": " + allocated + " bytes allocated in " + 6 * rounds + " operations");
        }
    }
}
