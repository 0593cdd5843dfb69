package io.jshm.core.os;

import io.jshm.core.region.Words;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FutexTest {

    @Test
    void aWaitOnAnUnchangedWordTimesOutAfterItsTimeout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            long start = System.nanoTime();
            assertEquals(Futex.WaitResult.TIMED_OUT, Futex.await(word.address(), 0, TimeUnit.MILLISECONDS.toNanos(50)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(millis >= 45 && millis < 1000, "waited " + millis + " ms");
        }
    }

    @Test
    void aSliceIsCountedAsRunOutOnlyWhenItsCallerHadLongerToWait() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            long slice = TimeUnit.MILLISECONDS.toNanos(5);
            long before = Futex.slicesRunOutCount();
            assertEquals(Futex.WaitResult.TIMED_OUT, Futex.awaitSlice(word.address(), 0, slice, slice));
            assertEquals(before, Futex.slicesRunOutCount(), "the caller's own deadline, not a slice running out");
            assertEquals(Futex.WaitResult.TIMED_OUT, Futex.awaitSlice(word.address(), 0, 10 * slice, slice));
            assertEquals(before + 1, Futex.slicesRunOutCount());
            assertEquals(Futex.WaitResult.VALUE_CHANGED, Futex.awaitSlice(word.address(), 1, 10 * slice, slice));
            assertEquals(before + 1, Futex.slicesRunOutCount());
        }
    }

    @Test
    void aWaitOnAWordThatAlreadyChangedReturnsAtOnce() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            word.set(ValueLayout.JAVA_INT, 0, 1);
            assertEquals(Futex.WaitResult.VALUE_CHANGED, Futex.await(word.address(), 0, Long.MAX_VALUE));
        }
    }

    @Test
    void wakeReleasesAParkedThread() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment word = arena.allocate(ValueLayout.JAVA_INT);
            AtomicReference<Futex.WaitResult> result = new AtomicReference<>();
            Thread waiter = Thread.ofPlatform().start(() -> {
                while (Words.getIntVolatile(word, 0L) == 0) {
                    Futex.WaitResult r = Futex.await(word.address(), 0, TimeUnit.SECONDS.toNanos(20));
                    result.set(r);
                }
            });
            while (waiter.getState() != Thread.State.RUNNABLE) {
                Thread.onSpinWait();
            }
            Thread.sleep(100);
            Words.setIntVolatile(word, 0L, 1);
            int woken = Futex.wake(word.address(), 1);
            waiter.join(Duration.ofSeconds(5));
            assertTrue(!waiter.isAlive(), "the waiter ended");
            assertTrue(woken <= 1);
            assertTrue(result.get() == Futex.WaitResult.WOKEN || result.get() == Futex.WaitResult.VALUE_CHANGED,
                    String.valueOf(result.get()));
        }
    }

    @Test
    void badArgumentsAreRejectedBeforeAnySystemCall() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(8, 8);
            assertThrows(IllegalArgumentException.class, () -> Futex.await(word.address() + 1, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.await(word.address(), 0, 0));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(word.address(), 0));
        }
    }

    @Test
    void processIdentityTellsLiveFromDeadAndReusedPids() {
        ProcessIdentity me = ProcessIdentity.current();
        assertEquals(ProcessHandle.current().pid(), me.pid());
        assertTrue(me.isAlive());
        assertEquals(me, ProcessIdentity.of(me.pid()));
        assertTrue(!new ProcessIdentity(me.pid(), me.startTime() + 1).isAlive(), "same pid, other start time: a reused pid");
        assertTrue(!new ProcessIdentity(Integer.MAX_VALUE, 1).isAlive(), "no such pid");
        assertEquals(null, ProcessIdentity.of(Integer.MAX_VALUE));
    }
}
