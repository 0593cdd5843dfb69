package io.jshm.core.sync;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShmEventTest {
    private static final int WAITERS = 3;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void setWakesWaitersParkedInOtherJvmsWithin50Milliseconds() throws Exception {
        try (ShmEvent event = ShmEvent.create(ShmFile.of(dir, "event"));
             SharedRegion wokenAt = SyncTesting.createScratch(dir, "woken-at", WAITERS);
             Children children = new Children()) {
            List<JvmProcess> waiters = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                waiters.add(children.start(Waiter.class, dir.toString(), Integer.toString(i)));
            }
            for (int i = 0; i < WAITERS; i++) {
                SyncTesting.awaitAnnounced(waiters.get(i), dir, "waiting-" + i, Duration.ofSeconds(60));
            }
            Thread.sleep(500); // long past the spin: every waiter is parked on the futex now
            long setAt = System.nanoTime(); // CLOCK_MONOTONIC: comparable between processes
            event.set();
            children.assertAllExitCleanly(Duration.ofSeconds(60));
            for (int i = 0; i < WAITERS; i++) {
                long micros = TimeUnit.NANOSECONDS.toMicros(wokenAt.body().getAtIndex(ValueLayout.JAVA_LONG, i) - setAt);
                assertTrue(micros >= 0 && micros < 50_000, "waiter " + i + " woke " + micros + " us after set()");
            }
        }
    }

    @Test
    void flagSetClearAndTimedWait() throws Exception {
        try (ShmEvent event = ShmEvent.create(ShmFile.of(dir, "event"));
             ShmEvent other = ShmEvent.open(ShmFile.of(dir, "event"))) {
            assertFalse(event.isSet());
            long start = System.nanoTime();
            assertFalse(event.await(Duration.ofMillis(100)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
            other.set();
            assertTrue(event.isSet());
            assertTrue(event.await(Duration.ZERO));
            event.set();
            event.clear();
            assertFalse(other.isSet());
            assertFalse(other.await(Duration.ofMillis(10)));
        }
    }

    @Test
    void aSetFollowedAtOnceByClearStillReleasesTheParkedWaiter() throws Exception {
        try (ShmEvent event = ShmEvent.create(ShmFile.of(dir, "event"))) {
            AtomicBoolean result = new AtomicBoolean();
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    result.set(event.await(Duration.ofSeconds(30)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.sleep(200);
            event.set();
            event.clear();
            waiter.join(Duration.ofSeconds(10));
            assertFalse(waiter.isAlive());
            assertTrue(result.get(), "the waiter saw the set, as Python's Event.wait does");
        }
    }

    @Test
    void aWaiterIsInterruptible() throws Exception {
        try (ShmEvent event = ShmEvent.create(ShmFile.of(dir, "event"))) {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, event::await);
        }
    }

    @Test
    void openingAnotherKindIsAMismatchNamingTheFile() {
        try (SharedRegion ignored = SyncTesting.createScratch(dir, "scratch", 1)) {
            RegionMismatchException e = assertThrows(RegionMismatchException.class,
                    () -> ShmEvent.open(ShmFile.of(dir, "scratch")));
            assertTrue(e.getMessage().contains("scratch") && e.getMessage().contains(RegionKind.EVENT.name()), e.getMessage());
        }
    }

    /** Opens the event, announces it waits, waits, and records when it woke. */
    public static final class Waiter {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int index = Integer.parseInt(args[1]);
            try (ShmEvent event = ShmEvent.open(ShmFile.of(dir, "event"));
                 SharedRegion wokenAt = SyncTesting.openScratch(dir, "woken-at")) {
                SyncTesting.announce(dir, "waiting-" + index);
                if (!event.await(Duration.ofSeconds(60))) {
                    throw new AssertionError("never woken");
                }
                wokenAt.body().setAtIndex(ValueLayout.JAVA_LONG, index, System.nanoTime());
            }
        }
    }
}
