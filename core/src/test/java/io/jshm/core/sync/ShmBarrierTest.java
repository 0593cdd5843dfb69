package io.jshm.core.sync;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmBarrierTest {
    // Scratch longs: arrivals announced before each await, and how many awaits returned index 0.
    private static final long ARRIVALS = 0;
    private static final long FIRSTS = 8;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void fiveJvmsPassTheBarrierTogetherForAThousandGenerations() throws Exception {
        int processes = 5;
        int generations = 1_000;
        try (ShmBarrier barrier = ShmBarrier.create(ShmFile.of(dir, "barrier"), processes);
             SharedRegion counters = SyncTesting.createScratch(dir, "counters", 2);
             Children children = new Children()) {
            long start = System.nanoTime();
            for (int i = 0; i < processes; i++) {
                children.start(Party.class, dir.toString(), Integer.toString(generations), Integer.toString(processes));
            }
            children.assertAllExitCleanly(Duration.ofMinutes(2));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(generations, Words.getLongVolatile(counters.body(), FIRSTS), "one index 0 per generation");
            assertEquals((long) processes * generations, Words.getLongVolatile(counters.body(), ARRIVALS));
            assertFalse(barrier.isBroken());
            assertEquals(0, barrier.numberWaiting());
            System.out.println("barrier: " + generations + " generations of " + processes + " JVMs in " + millis + " ms");
        }
    }

    @Test
    void aPartyKilledWithSigkillBreaksTheBarrierForTheOthers() throws Exception {
        try (ShmBarrier barrier = ShmBarrier.create(ShmFile.of(dir, "barrier"), 3);
             Children children = new Children()) {
            List<JvmProcess> survivors = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                survivors.add(children.start(PartyUntilBroken.class, dir.toString(), Integer.toString(i)));
            }
            JvmProcess victim = children.start(PartyThenStall.class, dir.toString(), "5");
            SyncTesting.awaitAnnounced(victim, dir, "stalling", Duration.ofSeconds(60));
            Thread.sleep(300); // the survivors are parked in the next generation now
            assertFalse(barrier.isBroken(), "a slow party is no dead party");
            victim.kill();
            long killedAt = System.nanoTime();
            for (JvmProcess survivor : survivors) {
                Children.assertExitsCleanly(survivor, Duration.ofSeconds(30));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertTrue(barrier.isBroken());
            for (int i = 0; i < 2; i++) {
                String message = Files.readString(dir.resolve("broken-" + i));
                assertTrue(message.contains("pid " + victim.pid()) && message.contains("died"), message);
            }
            assertTrue(millis < 10_000, "survivors took " + millis + " ms to notice the death");
            System.out.println("barrier: survivors out " + millis + " ms after SIGKILL of a party");
            BrokenBarrierException later = assertThrows(BrokenBarrierException.class, () -> barrier.await(Duration.ofSeconds(1)));
            assertTrue(later.getMessage().contains(dir.toString()), later.getMessage());
        }
    }

    @Test
    void aTimedOutPartyBreaksTheBarrierUntilReset() throws Exception {
        try (ShmBarrier barrier = ShmBarrier.create(ShmFile.of(dir, "barrier"), 2)) {
            assertThrows(TimeoutException.class, () -> barrier.await(Duration.ofMillis(50)));
            assertTrue(barrier.isBroken());
            BrokenBarrierException e = assertThrows(BrokenBarrierException.class, () -> barrier.await(Duration.ofSeconds(1)));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            barrier.reset();
            assertFalse(barrier.isBroken());
            assertEquals(List.of(0, 1), twoThreadsPass(barrier));
            assertEquals(List.of(0, 1), twoThreadsPass(barrier));
        }
    }

    @Test
    void resetAndAbortBreakAWaitingParty() throws Exception {
        try (ShmBarrier barrier = ShmBarrier.create(ShmFile.of(dir, "barrier"), 2)) {
            for (Runnable breaker : List.<Runnable>of(barrier::reset, barrier::abort)) {
                AtomicReference<Throwable> outcome = new AtomicReference<>();
                Thread waiter = Thread.ofPlatform().start(() -> {
                    try {
                        barrier.await(Duration.ofSeconds(30));
                    } catch (Throwable t) {
                        outcome.set(t);
                    }
                });
                while (barrier.numberWaiting() == 0) {
                    Thread.sleep(5);
                }
                breaker.run();
                assertTrue(waiter.join(Duration.ofSeconds(10)));
                assertInstanceOf(BrokenBarrierException.class, outcome.get());
                barrier.reset();
            }
        }
    }

    private static List<Integer> twoThreadsPass(ShmBarrier barrier) throws Exception {
        AtomicInteger other = new AtomicInteger(-1);
        Thread thread = Thread.ofPlatform().start(() -> {
            try {
                other.set(barrier.await(Duration.ofSeconds(30)));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        int mine = barrier.await(Duration.ofSeconds(30));
        assertTrue(thread.join(Duration.ofSeconds(10)));
        return List.of(Math.min(mine, other.get()), Math.max(mine, other.get()));
    }

    /** Passes the barrier N times, checking each time that all parties of the generation arrived. */
    public static final class Party {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int generations = Integer.parseInt(args[1]);
            int parties = Integer.parseInt(args[2]);
            try (ShmBarrier barrier = ShmBarrier.open(ShmFile.of(dir, "barrier"));
                 SharedRegion counters = SyncTesting.openScratch(dir, "counters")) {
                MemorySegment c = counters.body();
                for (long g = 0; g < generations; g++) {
                    Words.getAndAddLong(c, ARRIVALS, 1L);
                    int index = barrier.await(Duration.ofSeconds(60));
                    long arrivals = Words.getLongVolatile(c, ARRIVALS);
                    if (arrivals < parties * (g + 1) || arrivals >= parties * (g + 2)) {
                        throw new AssertionError("generation " + g + ": " + arrivals + " arrivals after the barrier");
                    }
                    if (index == 0) {
                        Words.getAndAddLong(c, FIRSTS, 1L);
                    }
                }
            }
        }
    }

    /** Passes the barrier until it breaks, then writes the exception's message to "broken-I". */
    public static final class PartyUntilBroken {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            try (ShmBarrier barrier = ShmBarrier.open(ShmFile.of(dir, "barrier"))) {
                while (true) {
                    try {
                        barrier.await(Duration.ofSeconds(60));
                    } catch (BrokenBarrierException e) {
                        Files.writeString(dir.resolve("broken-" + args[1]), e.getMessage());
                        return;
                    }
                }
            }
        }
    }

    /** Passes the barrier N times, then announces "stalling" and never arrives again. */
    public static final class PartyThenStall {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            ShmBarrier barrier = ShmBarrier.open(ShmFile.of(dir, "barrier"));
            for (int g = 0; g < Integer.parseInt(args[1]); g++) {
                barrier.await(Duration.ofSeconds(60));
            }
            SyncTesting.announce(dir, "stalling");
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
