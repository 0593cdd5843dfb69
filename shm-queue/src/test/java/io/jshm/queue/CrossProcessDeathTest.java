package io.jshm.queue;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.core.region.Words;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 of a producer between claim and publish, of a consumer mid-read, and of producers at
 * random moments of a stream, wedges nobody and loses nothing but the message in flight.
 */
class CrossProcessDeathTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    private static void awaitOutput(JvmProcess child, String text) throws Exception {
        Children.await("'" + text + "' from " + child.name(), Duration.ofSeconds(60), () -> child.output().contains(text), child);
    }

    /** Messages {@code consumeNumberedToLog} has logged to {@code log} so far. */
    private static long logged(Path log) throws IOException {
        return Files.exists(log) ? Files.size(log) / NumberedMessages.LOG_ENTRY : 0;
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
            assertNull(q.poll(Duration.ofMillis(3 * ShmQueue.STUCK_MILLIS)), "a live producer's claim must not be skipped");
            assertEquals(new QueueStats(0, 0), q.stats());
            Children.kill(producer);
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
            assertFalse(q.offer(new byte[]{4}, Duration.ofMillis(3 * ShmQueue.STUCK_MILLIS)),
                    "a live consumer's read must not be taken away");
            assertEquals(new QueueStats(0, 0), q.stats());
            Children.kill(consumer);
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
            Children.kill(consumer);
            q.put("second".getBytes());
            assertEquals("second", new String(q.poll(Duration.ofSeconds(10))));
        }
    }

    @Test
    void mpscProducerKilledBetweenClaimAndPublishIsSkippedWithItsOwnerFoundInTheTailWord() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (MpscQueue q = MpscQueue.create(file, 8, 16); Children children = new Children()) {
            q.put("before".getBytes());
            JvmProcess producer = children.start(QueueChild.class, "claimAndHang", dir.toString(), file.name(), "MPSC");
            awaitOutput(producer, "claimed 1");
            assertEquals("before", new String(q.take()));
            // Nobody claimed after it: its pid is only in the tail word. Alive, it is waited for.
            assertNull(q.poll(Duration.ofMillis(3 * ShmQueue.STUCK_MILLIS)), "a live producer's claim must not be skipped");
            assertEquals(new QueueStats(0, 0), q.stats());
            Children.kill(producer);
            // Polling makes the consumer watch the slot at head.
            Children.await("the dead claim skipped", Duration.ofSeconds(10), () -> {
                assertNull(q.poll(Duration.ofMillis(20)), "nothing was published");
                return q.stats().skippedClaims() >= 1;
            });
            assertEquals(new QueueStats(1, 0), q.stats());
            for (int i = 0; i < 20; i++) {
                q.put(new byte[]{(byte) i});
                assertEquals(i, q.take()[0]);
            }
        }
    }

    /**
     * A producer JVM claims eight positions in a row and is killed before publishing any. MPSC:
     * it marks none of them (the notes' invariant); this process claims next and records the
     * last of the eight in its slot, the first seven are traced to that record. Both kinds: the
     * run is skipped in one stuck period, not one per claim (after a dead owner is found, the
     * next slot is judged at once).
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC"})
    void runOfClaimsByAKilledProducerIsSkippedInOnePeriod(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        int run = 8;
        try (ShmQueue q = kind.create(file, 16, 16); Children children = new Children()) {
            JvmProcess producer = children.start(QueueChild.class, "claimAndHang", dir.toString(), file.name(),
                    kind.name(), Integer.toString(run));
            awaitOutput(producer, "claimed " + (run - 1));
            q.put("after".getBytes());
            assertNull(q.poll(Duration.ofMillis(3 * ShmQueue.STUCK_MILLIS)), "a live producer's claims must not be skipped");
            assertEquals(new QueueStats(0, 0), q.stats());
            Children.kill(producer);
            long start = System.nanoTime();
            assertEquals("after", new String(q.poll(Duration.ofSeconds(10))), "the dead claims must be skipped");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            // The first claim's period has run out during the poll above; one period for each of
            // the others would take (run - 1) x STUCK_MILLIS.
            assertTrue(millis < 3 * ShmQueue.STUCK_MILLIS, "skipping the run took " + millis + " ms");
            assertEquals(new QueueStats(run, 0), q.stats());
        }
    }

    /**
     * A claim that appears while the consumer is parked, and whose owner is then killed, is
     * skipped within a few stuck periods of the kill. A parked consumer looks at the slot only
     * at the ends of its futex slices, so its watch must start the clock when it parks, not
     * after a number of looks meant for a consumer that spins (16 looks there took 800 ms).
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC"})
    void deadClaimFoundByAParkedConsumerIsSkippedWithinAFewPeriods(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 8, 16); Children children = new Children()) {
            FutureTask<byte[]> received = new FutureTask<>(() -> q.poll(Duration.ofSeconds(30)));
            Thread.ofPlatform().daemon().start(received);
            QueueWaiters.awaitWaiting(q, QueueDescriptor.CONSUMERS_WAITING_OFFSET, 1);
            JvmProcess producer = children.start(QueueChild.class, "claimAndHang", dir.toString(), file.name(), kind.name());
            awaitOutput(producer, "claimed 0");
            // Wakes the consumer, which now finds the child's claim at head (MPSC: recorded by this put).
            q.put("after".getBytes());
            Children.kill(producer);
            long killed = System.nanoTime();
            assertEquals("after", new String(received.get(30, TimeUnit.SECONDS)));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(millis < 5 * ShmQueue.STUCK_MILLIS, "the dead claim was skipped " + millis + " ms after the kill");
            assertEquals(new QueueStats(1, 0), q.stats());
        }
    }

    /**
     * Three producer JVMs stream numbered messages; two are killed at random moments of the
     * stream, the third sends 100,000 and exits. Every message received is intact and the next
     * of its producer's sequence (no loss, duplicate or reordering among what arrived), the
     * survivor's all arrive, and each kill costs at most the one claim it interrupted.
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC", "FAN_IN"})
    void producersKilledAtRandomMomentsCostNothingButTheirClaimInFlight(QueueKind kind) throws Exception {
        long survivorCount = 100_000;
        rounds(kind, (round, file, random, context) -> {
            try (ShmQueue q = kind.create(file, 16, NumberedMessages.MAX_LENGTH); Children children = new Children()) {
                JvmProcess[] producers = new JvmProcess[3];
                for (int p = 0; p < 3; p++) {
                    producers[p] = startProducer(children, file, kind, p, p == 2 ? survivorCount : Long.MAX_VALUE);
                }
                NumberedMessages.Checker check = new NumberedMessages.Checker(3);
                long killAfter0 = random.nextLong(1, 3_000);
                long killAfter1 = random.nextLong(1, 3_000);
                drainWhile(q, check, () -> {
                    killWhenPast(producers[0], check, 0, killAfter0);
                    killWhenPast(producers[1], check, 1, killAfter1);
                    Children.assertExitsCleanly(producers[2], Duration.ofMinutes(2));
                });
                String result = context + ": " + check + ", " + q.stats();
                System.out.println(result);
                assertEquals(survivorCount, check.received(2), result);
                assertTrue(q.stats().skippedClaims() <= 2, result);
                assertEquals(0, q.stats().abandonedReads(), result);
            }
        });
    }

    /**
     * An {@link SpscQueue}'s producer JVM killed at a random moment of a stream, then a new
     * producer JVM taking over: the consumer gets a prefix of the first one's messages, intact,
     * then every message of the second (the file was left consistent at whatever instruction
     * the first died). A {@link FanInQueue}'s second producer takes over the dead one's lane,
     * the first it finds free (lane 0), and goes on there.
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"SPSC", "FAN_IN"})
    void producerKilledMidStreamLeavesAQueueTheNextProducerContinues(QueueKind kind) throws Exception {
        long secondCount = 20_000;
        rounds(kind, (round, file, random, context) -> {
            try (ShmQueue q = kind.create(file, 16, NumberedMessages.MAX_LENGTH); Children children = new Children()) {
                JvmProcess first = startProducer(children, file, kind, 0, Long.MAX_VALUE);
                NumberedMessages.Checker check = new NumberedMessages.Checker(2);
                long killAfter = random.nextLong(1, 3_000);
                AtomicLong publishedByFirst = new AtomicLong();
                drainWhile(q, check, () -> {
                    killWhenPast(first, check, 0, killAfter);
                    // What the first producer had published (tail; one more if it died before storing it).
                    publishedByFirst.set(QueueDescriptor.spscTailPosition(
                            Words.getLongVolatile(q.body, kind.tailOffset(16, NumberedMessages.MAX_LENGTH))));
                    JvmProcess second = startProducer(children, file, kind, 1, secondCount);
                    Children.assertExitsCleanly(second, Duration.ofMinutes(2));
                });
                String result = context + ": " + check + ", tail at the kill " + publishedByFirst;
                assertTrue(check.received(0) >= publishedByFirst.get(), result + ": the first producer's published messages all arrive");
                assertEquals(secondCount, check.received(1), result);
                assertTrue(check.lastArrival(0) < check.firstArrival(1), result + ": the first producer's messages came first");
            }
        });
    }

    /**
     * Three consumer JVMs of an {@link MpmcQueue} log every message they receive, taking one at a
     * time or draining batches of up to {@code batch}; two are killed at random moments, the
     * third goes on to the end. No message arrives twice, each consumer sees each producer's
     * messages in order, and the only messages missing are those a killed consumer held: at
     * most one batch per kill, each slot given back counted in {@code abandonedReads}.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 32})
    void mpmcConsumersKilledAtRandomMomentsLoseAtMostTheBatchEachWasReading(int batch) throws Exception {
        int perProducer = 20_000;
        rounds(QueueKind.MPMC, (round, file, random, context) -> {
            try (MpmcQueue q = MpmcQueue.create(file, 16, NumberedMessages.MAX_LENGTH); Children children = new Children()) {
                JvmProcess[] consumers = new JvmProcess[3];
                Path[] logs = new Path[3];
                for (int c = 0; c < 3; c++) {
                    logs[c] = dir.resolve("log-" + round + "-" + c);
                    consumers[c] = startLogger(children, file, QueueKind.MPMC, logs[c], batch);
                }
                for (int c = 0; c < 3; c++) {
                    Children.awaitFile(consumers[c], logs[c]); // each has opened the queue
                }
                JvmProcess[] producers = new JvmProcess[2];
                for (int p = 0; p < 2; p++) {
                    producers[p] = startProducer(children, file, QueueKind.MPMC, p, perProducer);
                }
                for (int c = 0; c < 2; c++) {
                    JvmProcess victim = consumers[c];
                    Path log = logs[c];
                    long entries = random.nextLong(1, 5_000);
                    // The others may take all the messages first: then the kill comes at the end of the stream.
                    Children.await(entries + " messages logged by " + victim.name(), Duration.ofMinutes(2),
                            () -> logged(log) >= entries || Arrays.stream(producers).noneMatch(JvmProcess::isAlive), victim);
                    Children.kill(victim);
                }
                for (JvmProcess producer : producers) {
                    Children.assertExitsCleanly(producer, Duration.ofMinutes(2));
                }
                q.closeForSending();
                Children.assertExitsCleanly(consumers[2], Duration.ofMinutes(1));

                LoggedMessages logged = LoggedMessages.read(logs, 2);
                String result = context + ": received " + logged.distinct() + " of " + 2 * perProducer + ", " + q.stats();
                System.out.println(result);
                assertEquals(0, logged.duplicates(), result + ": messages received twice");
                long missing = 2L * perProducer - logged.distinct();
                assertTrue(missing <= q.stats().abandonedReads(), result);
                assertTrue(q.stats().abandonedReads() <= 2L * batch, result);
                assertEquals(0, q.stats().skippedClaims(), result);
            }
        });
    }

    /**
     * A {@link JoinableQueue} worker JVM that drains batches and marks each task done in its
     * handler is killed at a random moment mid-stream; a second one finishes the stream. The
     * killed worker's slots must give back only the task whose handler had not finished: no
     * taskDone() finds the count spent, and every task ends done. (A worker holding its whole
     * batch until the batch's end, as an {@link MpmcQueue} does, would give back with the slots
     * tasks its handler had already marked done.)
     */
    @Test
    void joinableWorkerKilledMidBatchGivesBackOnlyTheTaskItWasHandling() throws Exception {
        int tasks = 400;
        rounds(QueueKind.MPMC, (round, file, random, context) -> {
            try (JoinableQueue q = JoinableQueue.create(file, 16, 8); Children children = new Children()) {
                Path working = dir.resolve("working-" + round);
                JvmProcess first = children.start(QueueChild.class, "workInBatches", dir.toString(), file.name(),
                        working.getFileName().toString());
                // Sent from another thread, so that the kill comes at a moment of its own, not
                // when a put returns (which is when the worker has just given slots back). The
                // queue stays full: the worker is always in a batch.
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = 0; i < tasks; i++) {
                            q.put(new byte[1]); // wraps onto the killed worker's slots: recovered once it is found dead
                        }
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Children.awaitFile(first, working);
                long killAfterMillis = random.nextLong(20, 200);
                Thread.sleep(killAfterMillis);
                Children.kill(first);
                JvmProcess second = children.start(QueueChild.class, "workInBatches", dir.toString(), file.name(),
                        "working-" + round + "-second");
                // A taskDone() that finds the count spent throws, and ends the second worker.
                Children.await("every task sent", Duration.ofMinutes(2), sent::isDone, second);
                sent.join();
                q.closeForSending();
                Children.assertExitsCleanly(second, Duration.ofMinutes(1));
                String result = context + ": killed " + killAfterMillis + " ms into the stream, " + q.stats();
                System.out.println(result);
                assertEquals(0, Words.getLongVolatile(q.body, QueueDescriptor.TASKS_IN_PROGRESS_OFFSET), result);
                assertTrue(q.join(Duration.ofSeconds(1)), result);
            }
        });
    }

    /**
     * The one consumer JVM of an {@link SpscQueue}, {@link MpscQueue} or {@link FanInQueue},
     * logging every message it receives, is killed at a random moment and a new consumer JVM
     * takes over: nothing is lost, and at most the one message being read at the kill arrives
     * twice (with batches of {@code drain}, at most the unfinished batch). A consumer killed
     * while it writes zeros over a batch it has read must leave no
     * zeroed message to be read again (the taker-over would find it corrupt) and lose nothing.
     */
    @ParameterizedTest
    @CsvSource({"SPSC, 1", "MPSC, 1", "FAN_IN, 1", "SPSC, 32", "MPSC, 32", "FAN_IN, 32"})
    void singleConsumerKilledMidStreamIsTakenOverLosingNothing(QueueKind kind, int batch) throws Exception {
        int producerCount = kind == QueueKind.SPSC ? 1 : 2;
        int perProducer = 20_000;
        rounds(kind, (round, file, random, context) -> {
            try (ShmQueue q = kind.create(file, 16, NumberedMessages.MAX_LENGTH); Children children = new Children()) {
                Path[] logs = {dir.resolve("log-" + round + "-0"), dir.resolve("log-" + round + "-1")};
                JvmProcess first = startLogger(children, file, kind, logs[0], batch);
                JvmProcess[] producers = new JvmProcess[producerCount];
                for (int p = 0; p < producerCount; p++) {
                    producers[p] = startProducer(children, file, kind, p, perProducer);
                }
                long entries = random.nextLong(1, 5_000);
                Children.await(entries + " messages logged by " + first.name(), Duration.ofMinutes(2),
                        () -> logged(logs[0]) >= entries, first);
                Children.kill(first);
                JvmProcess second = startLogger(children, file, kind, logs[1], batch);
                for (JvmProcess producer : producers) {
                    Children.assertExitsCleanly(producer, Duration.ofMinutes(2));
                }
                q.closeForSending();
                Children.assertExitsCleanly(second, Duration.ofMinutes(1));

                LoggedMessages logged = LoggedMessages.read(logs, producerCount);
                String result = context + ": " + logged.duplicates() + " twice";
                System.out.println(result);
                for (int p = 0; p < producerCount; p++) {
                    assertEquals(perProducer, logged.received()[p].cardinality(), result + ": producer " + p + "'s messages lost");
                }
                assertTrue(logged.duplicates() <= batch, result);
            }
        });
    }

    /**
     * A claim made in another JVM before the close is waited for: the consumer that finds nothing
     * published at head after the close must not report end of stream while a claim is there.
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC"})
    void aClaimMadeBeforeTheCloseIsReceivedBeforeTheEndOfStream(QueueKind kind) throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = kind.create(file, 8, 16); Children children = new Children()) {
            q.put("before".getBytes());
            JvmProcess producer = children.start(QueueChild.class, "claimAndPublishWhenToldTo", dir.toString(), file.name(),
                    kind.name(), "go");
            awaitOutput(producer, "claimed 1");
            q.closeForSending();
            Files.createFile(dir.resolve("go")); // published only now, after the close
            assertEquals("before", new String(q.take()));
            assertArrayEquals(new byte[0], q.poll(Duration.ofSeconds(30)), "the claim made before the close, published after it");
            assertThrows(EndOfStreamException.class, () -> q.poll(Duration.ofSeconds(5)));
            Children.assertExitsCleanly(producer, Duration.ofSeconds(30));
        }
    }

    /**
     * A {@link FanInQueue} send that claimed before the close and publishes after it fails
     * instead (the check after marking tail, see its notes): the consumer gets what was sent
     * before, then end of stream, and the sender a QueueClosedException.
     */
    @Test
    void aFanInSendPublishedAfterTheCloseFailsAndTheStreamEnds() throws Exception {
        ShmFile file = ShmFile.of(dir, "q");
        try (ShmQueue q = QueueKind.FAN_IN.create(file, 8, 16); Children children = new Children()) {
            q.put("before".getBytes());
            JvmProcess producer = children.start(QueueChild.class, "claimAndPublishWhenToldTo", dir.toString(), file.name(),
                    QueueKind.FAN_IN.name(), "go");
            awaitOutput(producer, "claimed");
            q.closeForSending();
            Files.createFile(dir.resolve("go"));
            assertEquals("before", new String(q.take()));
            assertThrows(EndOfStreamException.class, () -> q.poll(Duration.ofSeconds(30)));
            assertTrue(producer.join(Duration.ofSeconds(30)), producer.output());
            assertNotEquals(0, producer.exitCode().getAsInt(), producer.output());
            assertTrue(producer.output().contains("QueueClosedException"), producer.output());
        }
    }

    /**
     * Close racing live producers: three producer JVMs send until the queue is closed for
     * sending, at a random moment of the stream; the consumer drains to end of stream. Every send
     * that returned normally is received, in order, before the end of stream (the close and end
     * of stream handshake of the notes), and nothing else is.
     */
    @ParameterizedTest
    @EnumSource(value = QueueKind.class, names = {"MPSC", "MPMC", "FAN_IN"})
    void closeRacingLiveProducersLosesNoSendThatReturned(QueueKind kind) throws Exception {
        rounds(kind, (round, file, random, context) -> {
            try (ShmQueue q = kind.create(file, 16, NumberedMessages.MAX_LENGTH); Children children = new Children()) {
                JvmProcess[] producers = new JvmProcess[3];
                for (int p = 0; p < 3; p++) {
                    producers[p] = startProducer(children, file, kind, p, Long.MAX_VALUE);
                }
                NumberedMessages.Checker check = new NumberedMessages.Checker(3);
                long closeAfter = random.nextLong(1, 20_000);
                drainWhile(q, check, () -> Children.await(closeAfter + " messages received", Duration.ofMinutes(2),
                        () -> check.received(0) + check.received(1) + check.received(2) >= closeAfter));
                String result = context + ": " + check;
                for (int p = 0; p < 3; p++) {
                    JvmProcess producer = producers[p];
                    Children.assertExitsCleanly(producer, Duration.ofSeconds(30));
                    String sent = producer.output().lines().filter(l -> l.startsWith("sent ")).findFirst()
                            .orElseThrow(() -> new AssertionError(result + ": " + producer.name() + " did not say what it sent"));
                    assertEquals(Long.parseLong(sent.substring("sent ".length())), check.received(p),
                            result + ": producer " + p + "'s returned sends against what arrived");
                }
                System.out.println(result);
            }
        });
    }

    /** One round of a randomized kill test, on a queue file of its own. */
    @FunctionalInterface
    private interface Round {
        void run(int round, ShmFile file, SplittableRandom random, String context) throws Exception;
    }

    /**
     * Runs {@code body} three times, each on a new queue file, drawing its kill moments from one
     * random source; every failure names the queue kind, the seed and the round
     * ({@code context}), so a failure says which moments it took.
     */
    private void rounds(QueueKind kind, Round body) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 3; round++) {
            String context = kind + " seed " + seed + " round " + round;
            try {
                body.run(round, ShmFile.of(dir, "q" + round), random, context);
            } catch (Exception | AssertionError e) {
                throw new AssertionError(context + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * What consumer JVMs logged ({@code consumeNumberedToLog}): per producer the set of sequence
     * numbers received, how many entries named a message already seen, and how many distinct
     * messages arrived. Reading checks that each log has each producer's messages in order.
     */
    private record LoggedMessages(BitSet[] received, long duplicates, long distinct) {
        static LoggedMessages read(Path[] logs, int producers) throws IOException {
            BitSet[] received = new BitSet[producers];
            for (int p = 0; p < producers; p++) {
                received[p] = new BitSet();
            }
            long duplicates = 0;
            for (Path log : logs) {
                ByteBuffer entries = ByteBuffer.wrap(Files.readAllBytes(log));
                long[] last = new long[producers];
                Arrays.fill(last, -1);
                while (entries.remaining() >= NumberedMessages.LOG_ENTRY) {
                    int producer = entries.getInt();
                    long sequence = entries.getLong();
                    assertTrue(sequence > last[producer], log + ": producer " + producer + "'s " + sequence + " after " + last[producer]);
                    last[producer] = sequence;
                    if (received[producer].get((int) sequence)) {
                        duplicates++;
                    }
                    received[producer].set((int) sequence);
                }
            }
            long distinct = Arrays.stream(received).mapToLong(BitSet::cardinality).sum();
            return new LoggedMessages(received, duplicates, distinct);
        }
    }

    /** Receives into {@code check} until end of stream, failing if nothing arrives for two minutes. */
    private static void drainToEnd(ShmQueue q, NumberedMessages.Checker check) throws InterruptedException {
        long patience = Duration.ofMinutes(2).toNanos();
        long deadline = System.nanoTime() + patience;
        try {
            while (true) {
                if (q.drain(check, 32, Duration.ofMillis(100)) > 0) {
                    deadline = System.nanoTime() + patience;
                }
                assertTrue(System.nanoTime() < deadline, () -> "the queue wedged: " + check + ", " + q.stats());
            }
        } catch (EndOfStreamException end) {
            // every producer is dead or done
        }
    }

    /**
     * Drains {@code q} into {@code check} to the end of stream while {@code meanwhile} runs on
     * another thread, which closes the queue for sending when it is done, however it ends (so
     * that the drain ends too); then fails with what {@code meanwhile} threw, if anything.
     */
    private static void drainWhile(ShmQueue q, NumberedMessages.Checker check, Executable meanwhile) throws Exception {
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            try {
                meanwhile.execute();
            } catch (Throwable t) {
                throw new AssertionError(t);
            } finally {
                q.closeForSending();
            }
        });
        drainToEnd(q, check);
        other.get(1, TimeUnit.MINUTES);
    }

    /** A child that sends {@code count} numbered messages as producer {@code producer} ({@code produceNumbered}). */
    private JvmProcess startProducer(Children children, ShmFile file, QueueKind kind, int producer, long count) {
        return children.start(QueueChild.class, "produceNumbered", dir.toString(), file.name(), kind.name(),
                Integer.toString(producer), Long.toString(count));
    }

    /** A child that receives numbered messages to the end of stream, logging each to {@code log} ({@code consumeNumberedToLog}). */
    private JvmProcess startLogger(Children children, ShmFile file, QueueKind kind, Path log) {
        return startLogger(children, file, kind, log, 1);
    }

    /** As above, draining batches of up to {@code batch} messages if more than 1. */
    private JvmProcess startLogger(Children children, ShmFile file, QueueKind kind, Path log, int batch) {
        return children.start(QueueChild.class, "consumeNumberedToLog", dir.toString(), file.name(), kind.name(),
                log.getFileName().toString(), Integer.toString(batch));
    }

    /** Kills {@code producer} (kill -9) once more than {@code count} of its messages have been received. */
    private static void killWhenPast(JvmProcess producer, NumberedMessages.Checker received, int index, long count)
            throws Exception {
        Children.await(count + " messages from " + producer.name(), Duration.ofMinutes(2),
                () -> received.received(index) > count, producer);
        Children.kill(producer);
    }
}
