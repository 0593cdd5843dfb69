package io.jshm.queue;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Producers and consumers in separate JVMs move 1,000,000 messages of random lengths 0..max;
 * the parent recomputes every message sent and checks that each arrived exactly once, intact,
 * and in its producer's order (each consumer checks order and checksums as messages arrive).
 * The runs on a queue of two slots make sends and receives wait all the time, so the accounting
 * also covers messages handed over through the parking protocol.
 */
class CrossProcessStressTest {
    private static final int MAX_LENGTH = 100;

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @ParameterizedTest(name = "{0} {1}P/{2}C, {3} slots, {4} messages")
    @CsvSource({"SPSC, 1, 1, 1024, 1000000", "MPSC, 1, 1, 1024, 1000000", "MPSC, 4, 1, 1024, 1000000",
            "MPMC, 1, 1, 1024, 1000000", "MPMC, 2, 2, 1024, 1000000", "MPMC, 4, 4, 1024, 1000000",
            "SPSC, 1, 1, 2, 100000", "MPSC, 3, 1, 2, 100000", "MPMC, 2, 2, 2, 100000",
            "FAN_IN, 1, 1, 1024, 1000000", "FAN_IN, 4, 1, 1024, 1000000", "FAN_IN, 3, 1, 2, 100000"})
    void everyMessageArrivesExactlyOnceIntactAndInOrder(QueueKind kind, int producers, int consumers, int capacity, int total)
            throws Exception {
        ShmFile file = ShmFile.of(dir, "stress");
        long perProducer = total / producers;
        try (ShmQueue queue = kind.create(file, capacity, MAX_LENGTH); Children children = new Children()) {
            List<JvmProcess> producerProcesses = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                children.start(QueueChild.class, "consume", dir.toString(), file.name(), kind.name(),
                        Integer.toString(producers), Integer.toString(c), "result-" + c);
            }
            for (int p = 0; p < producers; p++) {
                producerProcesses.add(children.start(QueueChild.class, "produce", dir.toString(), file.name(), kind.name(),
                        Integer.toString(p), Long.toString(perProducer)));
            }
            for (JvmProcess producer : producerProcesses) {
                Children.assertExitsCleanly(producer, Duration.ofMinutes(3));
            }
            queue.closeForSending();
            children.assertAllExitCleanly(Duration.ofMinutes(1));
            assertEquals(new QueueStats(0, 0), queue.stats());
        }

        long zeroLength = 0;
        long[] shortCount = new long[producers];
        BitSet[] received = new BitSet[producers];
        for (int p = 0; p < producers; p++) {
            received[p] = new BitSet();
        }
        for (int c = 0; c < consumers; c++) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(dir.resolve("result-" + c))))) {
                zeroLength += in.readLong();
                for (int p = 0; p < producers; p++) {
                    shortCount[p] += in.readLong();
                    long[] words = new long[in.readInt()];
                    for (int i = 0; i < words.length; i++) {
                        words[i] = in.readLong();
                    }
                    BitSet got = BitSet.valueOf(words);
                    assertFalse(got.intersects(received[p]), "producer " + p + ": a message arrived at two consumers");
                    received[p].or(got);
                }
            }
        }
        long expectedZero = 0;
        byte[] buffer = new byte[MAX_LENGTH];
        for (int p = 0; p < producers; p++) {
            StressMessages messages = new StressMessages(p);
            BitSet expected = new BitSet();
            long expectedShort = 0;
            for (long s = 0; s < perProducer; s++) {
                int length = messages.next(s, buffer, MAX_LENGTH);
                if (length >= StressMessages.HEADER) {
                    expected.set((int) s);
                } else if (length > 0) {
                    expectedShort++;
                } else {
                    expectedZero++;
                }
            }
            assertEquals(expected, received[p], "producer " + p + ": messages lost or invented");
            assertEquals(expectedShort, shortCount[p], "producer " + p + ": short messages");
        }
        assertEquals(expectedZero, zeroLength, "empty messages");
    }
}
