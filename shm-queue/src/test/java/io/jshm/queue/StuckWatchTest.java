package io.jshm.queue;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StuckWatchTest {
    private final StuckWatch watch = new StuckWatch();

    @Test
    void aStateIsStuckOnceShownRepeatedlyAndThenForAPeriod() throws InterruptedException {
        assertFalse(watch.stuck(1));
        assertFalse(watch.stuck(2), "a new state is never stuck at first sight");
        for (int i = 0; i < StuckWatch.POLLS_BEFORE_CLOCK; i++) {
            assertFalse(watch.stuck(2), "the clock starts only now");
        }
        Thread.sleep(ShmQueue.STUCK_MILLIS + 10);
        assertTrue(watch.stuck(2));
        assertFalse(watch.stuck(2), "a yes starts the next period");
        assertFalse(watch.stuck(3), "a new state starts over");
    }

    @Test
    void aStateShownOnlyTwiceIsNotStuckUnlessTheCallerParked() throws InterruptedException {
        watch.stuck(1);
        Thread.sleep(ShmQueue.STUCK_MILLIS + 10);
        assertFalse(watch.stuck(1), "a spinning caller shows a state many times before the clock is read");
        watch.stuck(2);
        watch.parking();
        Thread.sleep(ShmQueue.STUCK_MILLIS + 10);
        assertTrue(watch.stuck(2), "a parked caller looks once a slice: its period starts when it parks");
    }

    @Test
    void parkingDoesNotRestartAPeriodUnderWay() throws InterruptedException {
        for (int i = 0; i <= StuckWatch.POLLS_BEFORE_CLOCK; i++) {
            watch.stuck(1);
        }
        Thread.sleep(ShmQueue.STUCK_MILLIS + 10);
        watch.parking();
        assertTrue(watch.stuck(1));
    }

    @Test
    void afterADeadHolderTheNextNewStateIsStuckAtOnceOnlyOnce() throws Exception {
        Process ended = new ProcessBuilder("true").start();
        assertEquals(0, ended.waitFor());
        watch.stuck(1);
        assertTrue(watch.holderDead((int) ended.pid()), "a process that has exited and been reaped");
        assertTrue(watch.stuck(2), "the next slot of a run left by a dead process");
        assertFalse(watch.stuck(3));
        assertFalse(watch.stuck(4));
    }

    @Test
    void neitherThisProcessNorPidZeroIsADeadHolder() {
        watch.stuck(1);
        assertFalse(watch.holderDead(0), "pid 0 holds nothing");
        assertFalse(watch.holderDead(ShmQueue.MY_PID), "this process is alive");
        assertFalse(watch.stuck(2), "no dead holder was found, so a new state waits its period");
    }
}
