package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.examples.ExampleSupport.Assignment;
import io.jshm.queue.EndOfStreamException;
import io.jshm.queue.MpmcQueue;
import io.jshm.values.SharedIntArray;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The seed's producer/consumer model with a {@code Queue}, without its sentinel {@code None}s:
 * two producer processes (the cooks) put items on one bounded {@link MpmcQueue}, three consumer
 * processes (the eaters) take them off. The queue holds {@value #CAPACITY} items and eating is
 * slower than cooking, so the producers really wait for room. Once the parent has joined both
 * producers it calls {@link MpmcQueue#closeForSending()}: every consumer eats what is left and
 * then gets {@link EndOfStreamException}, so the seed's "put one {@code None} per consumer"
 * bookkeeping disappears.
 *
 * <p>Each consumer counts every item it eats in a shared array, so the parent can check that
 * each item was eaten exactly once, and checks that each producer's items reach it in the order
 * they were made (the queue's per-producer FIFO guarantee).
 *
 * <p>{@code ./jshm example ProducerConsumerExample [items per producer]}
 */
public final class ProducerConsumerExample {
    static final int PRODUCERS = 2;
    static final int CONSUMERS = 3;
    static final int CAPACITY = 4;
    static final int DEFAULT_ITEMS = 200;
    private static final Duration EATING = Duration.ofMillis(1);

    private static final String QUEUE = "queue";
    /** Per item (numbered as {@link Assignment} says): times eaten. */
    private static final String TIMES_EATEN = "times-eaten";
    /** Per consumer: items it ate. */
    private static final String EATEN_BY = "eaten-by";
    /** Per producer: items it found the queue full for, and had to wait. */
    private static final String FOUND_FULL = "found-full";

    private ProducerConsumerExample() {
    }

    /** What the shared arrays say once every child has ended. */
    record Outcome(int[] timesEaten, int[] eatenBy, int[] foundFull) {
        long eatenExactlyOnce() {
            return Arrays.stream(timesEaten).filter(times -> times == 1).count();
        }
    }

    public static void main(String[] args) throws Exception {
        int items = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_ITEMS;
        Outcome outcome = ExampleSupport.inNewDirectory("jshm-producer-consumer-", directory -> run(directory, items));
        System.out.printf("%d items made, %d eaten (%s by consumer), %d of them exactly once; producers found the queue full %s times%n",
                outcome.timesEaten().length, IntStream.of(outcome.eatenBy()).sum(), Arrays.toString(outcome.eatenBy()),
                outcome.eatenExactlyOnce(), Arrays.toString(outcome.foundFull()));
    }

    /** Runs the model in {@code directory}, removing its files afterwards. */
    static Outcome run(Path directory, int itemsPerProducer) throws Exception {
        List<JvmProcess> children = new ArrayList<>();
        try (MpmcQueue queue = MpmcQueue.create(ShmFile.of(directory, QUEUE), CAPACITY, 16);
             SharedIntArray timesEaten = SharedIntArray.create(ShmFile.of(directory, TIMES_EATEN), PRODUCERS * itemsPerProducer);
             SharedIntArray eatenBy = SharedIntArray.create(ShmFile.of(directory, EATEN_BY), CONSUMERS);
             SharedIntArray foundFull = SharedIntArray.create(ShmFile.of(directory, FOUND_FULL), PRODUCERS)) {
            List<JvmProcess> consumers = ExampleSupport.startEach(Consumer.class, CONSUMERS, directory, itemsPerProducer, false, children);
            List<JvmProcess> producers = ExampleSupport.startEach(Producer.class, PRODUCERS, directory, itemsPerProducer, false, children);
            ExampleSupport.joinAll(producers);
            queue.closeForSending();
            System.out.println("parent: both producers are done, the queue is closed for sending");
            ExampleSupport.joinAll(consumers);
            return new Outcome(timesEaten.toArray(), eatenBy.toArray(), foundFull.toArray());
        } finally {
            children.forEach(JvmProcess::close);
            ExampleSupport.deleteFiles(directory, QUEUE, TIMES_EATEN, EATEN_BY, FOUND_FULL);
        }
    }

    /** Puts its items, in order, waiting whenever the queue is full. */
    public static final class Producer {
        private Producer() {
        }

        public static void main(String[] args) throws InterruptedException {
            Assignment me = Assignment.of(args);
            int full = 0;
            try (MpmcQueue queue = MpmcQueue.open(me.file(QUEUE));
                 SharedIntArray foundFull = SharedIntArray.open(me.file(FOUND_FULL))) {
                for (int item = me.firstItem(); item < me.firstItem() + me.itemsPerProducer(); item++) {
                    byte[] message = Integer.toString(item).getBytes(StandardCharsets.UTF_8);
                    if (!queue.offer(message)) {
                        full++;
                        queue.put(message);
                    }
                }
                foundFull.set(me.index(), full);
            }
            System.out.printf("%s made %d items and found the queue full for %d of them%n",
                    JvmProcess.currentProcessName(), me.itemsPerProducer(), full);
        }
    }

    /** Eats items until the queue is closed and empty, checking that each producer's come in order. */
    public static final class Consumer {
        private Consumer() {
        }

        public static void main(String[] args) throws InterruptedException {
            Assignment me = Assignment.of(args);
            int[] lastFrom = new int[PRODUCERS];
            Arrays.fill(lastFrom, -1);
            int eaten = 0;
            try (MpmcQueue queue = MpmcQueue.open(me.file(QUEUE));
                 SharedIntArray timesEaten = SharedIntArray.open(me.file(TIMES_EATEN));
                 SharedIntArray eatenBy = SharedIntArray.open(me.file(EATEN_BY))) {
                try {
                    while (true) {
                        int item = Integer.parseInt(queue.takeString());
                        int producer = item / me.itemsPerProducer();
                        if (item <= lastFrom[producer]) {
                            throw new IllegalStateException("item " + item + " came after item " + lastFrom[producer]);
                        }
                        lastFrom[producer] = item;
                        Thread.sleep(EATING);
                        timesEaten.incrementAndGet(item);
                        eaten++;
                    }
                } catch (EndOfStreamException end) {
                    eatenBy.set(me.index(), eaten);
                }
            }
            System.out.printf("%s ate %d items, then the queue said: end of stream%n", JvmProcess.currentProcessName(), eaten);
        }
    }
}
