package io.jshm.queue;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

/** kill -9 of a producer between claim and publish, and of a consumer mid-read, wedges nobody. */
class CrossProcessDeathTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static void awaitOutput(JvmProcess child, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!child.output().contains(text)) {
            assertTrue(child.isAlive(), () -> child.name() + " ended: " + child.output());
            assertTrue(System.nanoTime() < deadline, "no '" + text + "' from " + child.name());
            Thread.sleep(5);
        }
    }

    @Test
    void producerKilledBetweenClaimAndPublishIsSkippedAndCounted() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (MpmcQueue q = MpmcQueue.create(file, 8, 16); Children children = new Children()) {
            q.put("before".getBytes());
            JvmProcess producer = children.start(QueueChild.class, "claimAndHang", dir.toString(), file.name());
            awaitOutput(producer, "claimed 1");
            assertEquals("before", new String(q.take()));
            // While its owner lives, a claim is waited for however long it stays unpublished.
            assertNull(q.poll(Duration.ofMillis(3 * MpmcQueue.STUCK_MILLIS)), "a live producer's claim must not be skipped");
            assertEquals(new QueueStats(0, 0), q.stats());
            producer.kill();
            assertTrue(producer.join(Duration.ofSeconds(30)));
            q.put("after".getBytes());
            long start = System.nanoTime();
            assertEquals("after", new String(q.poll(Duration.ofSeconds(10))), "the dead claim must be skipped");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis < 5_000, "skipping took " + millis + " ms");
            assertEquals(new QueueStats(1, 0), q.stats());
            assertNull(q.poll());
            // The slot is usable again on the next lap.
            for (int i = 0; i < 20; i++) {
                q.put(new byte[]{(byte) i});
                assertEquals(i, q.take()[0]);
            }
        }
    }

    @Test
    void consumerKilledMidReadGivesItsSlotBack() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (MpmcQueue q = MpmcQueue.create(file, 4, 16); Children children = new Children()) {
            JvmProcess consumer = children.start(QueueChild.class, "acquireAndHang", dir.toString(), file.name());
            q.put("lost".getBytes());
            awaitOutput(consumer, "acquired 0");
            for (int i = 1; i <= 3; i++) {
                assertTrue(q.offer(new byte[]{(byte) i}, Duration.ofSeconds(10)), "message " + i);
            }
            // The 4th needs the slot the consumer holds: while it lives, its read is waited for.
            assertFalse(q.offer(new byte[]{4}, Duration.ofMillis(3 * MpmcQueue.STUCK_MILLIS)),
                    "a live consumer's read must not be taken away");
            assertEquals(new QueueStats(0, 0), q.stats());
            consumer.kill();
            assertTrue(consumer.join(Duration.ofSeconds(30)));
            assertTrue(q.offer(new byte[]{4}, Duration.ofSeconds(10)), "message 4, in the dead consumer's slot");
            for (int i = 1; i <= 4; i++) {
                assertEquals(i, q.poll(Duration.ofSeconds(10))[0]);
            }
            assertEquals(new QueueStats(0, 1), q.stats());
        }
    }

    @Test
    void consumerKilledMidReadDoesNotBlockOtherConsumers() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (MpmcQueue q = MpmcQueue.create(file, 4, 16); Children children = new Children()) {
            JvmProcess consumer = children.start(QueueChild.class, "acquireAndHang", dir.toString(), file.name());
            q.put("first".getBytes());
            awaitOutput(consumer, "acquired 0");
            consumer.kill();
            assertTrue(consumer.join(Duration.ofSeconds(30)));
            q.put("second".getBytes());
            assertEquals("second", new String(q.poll(Duration.ofSeconds(10))));
        }
    }
}
