package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.examples.ExampleSupport.Assignment;
import io.jshm.queue.JoinableQueue;
import io.jshm.values.SharedIntArray;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The seed's producer/consumer model with a {@code JoinableQueue}: the consumers are daemon
 * processes that loop forever, calling {@link JoinableQueue#taskDone()} after each item; each of
 * the two producers puts its items and then calls {@link JoinableQueue#join()}, which returns
 * only once every item put so far has been taken <em>and</em> marked done. The parent joins the
 * producers, joins the queue as the seed's main does, and ends; the daemon consumers end with it.
 *
 * <p>Consumers mark each item processed in a shared array before {@code taskDone()}. When its
 * {@code join()} returns, each producer counts its own items marked there: always all of them,
 * though when its last {@code put} returned some were still queued or in a consumer's hands.
 * Waiting until the queue is empty would not be enough: the last items taken are still being
 * worked on then.
 *
 * <p>{@code ./jshm example JoinableQueueExample [items per producer]}
 */
public final class JoinableQueueExample {
    static final int PRODUCERS = 2;
    static final int CONSUMERS = 3;
    static final int DEFAULT_ITEMS = 50;
    private static final int CAPACITY = 4;
    private static final Duration WORK = Duration.ofMillis(2);

    private static final String QUEUE = "queue";
    /** Per item (numbered as {@link Assignment} says): times processed. */
    private static final String PROCESSED = "processed";
    /** Per producer: how many of its items were processed when its {@code join()} returned. */
    private static final String DONE_AT_JOIN = "done-at-join";

    private JoinableQueueExample() {
    }

    /** What the shared arrays say at the end. */
    record Outcome(int[] doneAtJoin, int[] timesProcessed) {
    }

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ITEMS;
        Outcome outcome = ExampleSupport.inNewDirectory("jshm-joinable-", directory -> run(directory, items));
        System.out.printf("each producer's items processed when its join() returned: %s of %d%n",
                Arrays.toString(outcome.doneAtJoin()), items);
    }

    /** Runs the model in {@code directory}, removing its files afterwards. */
    static Outcome run(Path directory, int itemsPerProducer) throws Exception {
        List<JvmProcess> children = new ArrayList<>();
        try (JoinableQueue queue = JoinableQueue.create(ShmFile.of(directory, QUEUE), CAPACITY, 16);
             SharedIntArray processed = SharedIntArray.create(ShmFile.of(directory, PROCESSED), PRODUCERS * itemsPerProducer);
             SharedIntArray doneAtJoin = SharedIntArray.create(ShmFile.of(directory, DONE_AT_JOIN), PRODUCERS)) {
            ExampleSupport.startEach(Consumer.class, CONSUMERS, directory, itemsPerProducer, true, children);
            List<JvmProcess> producers = ExampleSupport.startEach(Producer.class, PRODUCERS, directory, itemsPerProducer, false, children);
            ExampleSupport.joinAll(producers);
            if (!queue.join(ExampleSupport.TIMEOUT)) {
                throw new IllegalStateException("items still unprocessed after " + ExampleSupport.TIMEOUT);
            }
            System.out.println("parent: the queue is joined, every item is processed; the daemon consumers end with the parent");
            return new Outcome(doneAtJoin.toArray(), processed.toArray());
        } finally {
            children.forEach(JvmProcess::close);
            ExampleSupport.deleteFiles(directory, QUEUE, PROCESSED, DONE_AT_JOIN);
        }
    }

    /** Puts its items, then joins the queue and counts its items processed. */
    public static final class Producer {
        private Producer() {
        }

        public static void main(String[] args) throws InterruptedException {
            Assignment me = Assignment.of(args);
            int end = me.firstItem() + me.itemsPerProducer();
            try (JoinableQueue queue = JoinableQueue.open(me.file(QUEUE));
                 SharedIntArray processed = SharedIntArray.open(me.file(PROCESSED));
                 SharedIntArray doneAtJoin = SharedIntArray.open(me.file(DONE_AT_JOIN))) {
                for (int item = me.firstItem(); item < end; item++) {
                    queue.putString(Integer.toString(item));
                }
                if (!queue.join(ExampleSupport.TIMEOUT)) {
                    throw new IllegalStateException("join() timed out");
                }
                int done = (int) IntStream.range(me.firstItem(), end).filter(item -> processed.get(item) > 0).count();
                doneAtJoin.set(me.index(), done);
                System.out.printf("%s put %d items; when join() returned, %d of them were processed%n",
                        JvmProcess.currentProcessName(), me.itemsPerProducer(), done);
            }
        }
    }

    /** Takes items forever, as in the seed: works on each, marks it processed, then calls taskDone(). */
    public static final class Consumer {
        private Consumer() {
        }

        public static void main(String[] args) throws InterruptedException {
            Assignment me = Assignment.of(args);
            try (JoinableQueue queue = JoinableQueue.open(me.file(QUEUE));
                 SharedIntArray processed = SharedIntArray.open(me.file(PROCESSED))) {
                while (true) {
                    int item = Integer.parseInt(queue.takeString());
                    Thread.sleep(WORK);
                    processed.incrementAndGet(item);
                    queue.taskDone();
                }
            }
        }
    }
}
