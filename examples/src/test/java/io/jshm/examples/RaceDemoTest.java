package io.jshm.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo with its defaults, as a new user runs it: plain loses updates, locked and atomic are exact. */
class RaceDemoTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void plainLosesUpdatesWhileLockedAndAtomicAreExact() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        List<RaceDemo.Outcome> outcomes;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            outcomes = RaceDemo.run(RaceDemo.DEFAULT_PROCESSES, RaceDemo.DEFAULT_INCREMENTS, out);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        long expected = (long) RaceDemo.DEFAULT_PROCESSES * RaceDemo.DEFAULT_INCREMENTS;

        assertEquals(List.of(RaceDemo.Way.PLAIN, RaceDemo.Way.LOCKED, RaceDemo.Way.ATOMIC),
                outcomes.stream().map(RaceDemo.Outcome::way).toList());
        RaceDemo.Outcome plain = outcomes.get(0);
        assertTrue(plain.count() < expected && plain.count() > 0, () -> "plain should lose updates:\n" + text);
        for (RaceDemo.Outcome exact : outcomes.subList(1, 3)) {
            assertEquals(expected, exact.count(), () -> exact.way() + " must be exact:\n" + text);
            assertEquals(0, exact.lost());
        }
        assertTrue(text.contains("counter.incrementAndGet()") && text.contains(String.format(Locale.ROOT, "%,d", expected))
                && text.contains("plain lost"), text);
    }
}
