package io.jshm.examples;

import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.jshm.examples.ExampleAssertions.assertAll;
import static io.jshm.examples.ExampleAssertions.assertNoFilesLeft;
import static io.jshm.examples.ProducerConsumerExample.CONSUMERS;
import static io.jshm.examples.ProducerConsumerExample.PRODUCERS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProducerConsumerExampleTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void everyItemIsEatenExactlyOnceAndTheConsumersEndWithoutSentinels() throws Exception {
        int itemsPerProducer = 150;
        // Each consumer checks that every producer's items reach it in order; one out of order
        // fails its process, and run() with it.
        ProducerConsumerExample.Outcome outcome = ProducerConsumerExample.run(dir, itemsPerProducer);

        assertAll(1, PRODUCERS * itemsPerProducer, outcome.timesEaten(), "times each item was eaten");
        assertEquals(CONSUMERS, outcome.eatenBy().length);
        assertEquals(PRODUCERS * itemsPerProducer, IntStream.of(outcome.eatenBy()).sum(), Arrays.toString(outcome.eatenBy()));
        // Four slots, and eating takes a millisecond an item: both producers must have waited for room.
        assertTrue(IntStream.of(outcome.foundFull()).allMatch(times -> times > 0), Arrays.toString(outcome.foundFull()));
        assertNoFilesLeft(dir);
    }
}
