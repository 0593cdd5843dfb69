package io.jshm.examples;

import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static io.jshm.examples.ExampleAssertions.assertAll;
import static io.jshm.examples.ExampleAssertions.assertNoFilesLeft;
import static io.jshm.examples.JoinableQueueExample.PRODUCERS;

class JoinableQueueExampleTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void whenAProducersJoinReturnsEveryOneOfItsItemsIsProcessed() throws Exception {
        int itemsPerProducer = 40;
        JoinableQueueExample.Outcome outcome = JoinableQueueExample.run(dir, itemsPerProducer);

        // Had join() returned once the queue was merely empty, the items still in the
        // consumers' hands (2 ms of work each) would be missing here.
        assertAll(itemsPerProducer, PRODUCERS, outcome.doneAtJoin(), "each producer's items processed when its join() returned");
        assertAll(1, PRODUCERS * itemsPerProducer, outcome.timesProcessed(), "times each item was processed");
        assertNoFilesLeft(dir);
    }
}
