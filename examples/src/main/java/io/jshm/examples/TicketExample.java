package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.ShmBarrier;
import io.jshm.values.SharedInt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed's ticket-grabbing lesson: ten processes race to buy the last ticket. Each checks the
 * shared count, "talks to the payment service", then takes the ticket. Without a lock every one
 * of them sees the one ticket and buys it; holding the count's lock across the check and the
 * purchase lets exactly one succeed.
 *
 * <p>The first round makes the bad interleaving certain rather than likely: its payment service
 * answers only once every buyer has looked at the count (a barrier), as a slow enough service
 * would. With a fixed delay instead, whether the race showed depended on the scheduler: eleven
 * JVMs on two cores were seen reading up to 137 ms apart, and with a 300 ms payment a loaded
 * machine once sold the ticket only once without the lock. The second round's payment is a plain
 * delay, paid with the lock held; a barrier there would wait for buyers still queued on the lock.
 *
 * <p>{@code java ... io.jshm.examples.TicketExample [buyers]}
 */
public final class TicketExample {
    /** How long the payment service takes in the second round, each buyer in turn holding the lock. */
    static final Duration PAYMENT_DELAY = Duration.ofMillis(100);
    private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(2);

    private TicketExample() {
    }

    /** How many buyers got a ticket in each round. */
    record Outcome(int soldWithoutLock, int soldWithLock) {
    }

    public static void main(String[] args) throws Exception {
        int buyers = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Outcome outcome = run(buyers);
        System.out.printf("%d buyers, 1 ticket, no lock:   %d tickets sold%n", buyers, outcome.soldWithoutLock());
        System.out.printf("%d buyers, 1 ticket, with lock: %d ticket%s sold%n", buyers, outcome.soldWithLock(),
                outcome.soldWithLock() == 1 ? "" : "s");
    }

    static Outcome run(int buyers) throws Exception {
        Path directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-tickets-");
        try (SharedInt tickets = SharedInt.create(ShmFile.of(directory, "tickets"), 1);
             SharedInt sold = SharedInt.create(ShmFile.of(directory, "sold"), 0);
             ShmBarrier startLine = ShmBarrier.create(ShmFile.of(directory, "start-line"), buyers + 1);
             ShmBarrier everyoneLooked = ShmBarrier.create(ShmFile.of(directory, "everyone-looked"), buyers)) {
            List<JvmProcess> children = new ArrayList<>();
            for (int i = 1; i <= buyers; i++) {
                children.add(JvmProcess.builder(Buyer.class).name("buyer-" + i).args(directory.toString())
                        .jvmOptions("-XX:+UseSerialGC", "-Xmx48m", "-XX:TieredStopAtLevel=1").start());
            }
            startLine.await(ROUND_TIMEOUT);             // round 1: everyone buys without the lock
            startLine.await(ROUND_TIMEOUT);             // round 1 is over
            int soldWithoutLock = sold.getAndSet(0);
            tickets.set(1);
            startLine.await(ROUND_TIMEOUT);             // round 2: with the lock
            for (JvmProcess child : children) {
                if (!child.join(ROUND_TIMEOUT) || child.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException(child + " did not finish cleanly");
                }
            }
            return new Outcome(soldWithoutLock, sold.get());
        } finally {
            for (String name : List.of("tickets", "sold", "start-line", "everyone-looked")) {
                Files.deleteIfExists(directory.resolve(name));
            }
            Files.deleteIfExists(directory);
        }
    }

    /** One buyer process: tries once without the lock, once with it. */
    public static final class Buyer {
        private Buyer() {
        }

        public static void main(String[] args) throws Exception {
            Path directory = Path.of(args[0]);
            String me = JvmProcess.currentProcessName();
            try (SharedInt tickets = SharedInt.open(ShmFile.of(directory, "tickets"));
                 SharedInt sold = SharedInt.open(ShmFile.of(directory, "sold"));
                 ShmBarrier startLine = ShmBarrier.open(ShmFile.of(directory, "start-line"));
                 ShmBarrier everyoneLooked = ShmBarrier.open(ShmFile.of(directory, "everyone-looked"))) {
                startLine.await(ROUND_TIMEOUT);
                if (tryToBuy(tickets, () -> everyoneLooked.await(ROUND_TIMEOUT))) {
                    sold.incrementAndGet();
                    System.out.println(me + " bought the ticket (no lock)");
                }
                startLine.await(ROUND_TIMEOUT);
                startLine.await(ROUND_TIMEOUT);
                if (tickets.computeWithLock(locked -> tryToBuy(locked, () -> Thread.sleep(PAYMENT_DELAY)))) {
                    sold.incrementAndGet();
                    System.out.println(me + " bought the ticket (with lock)");
                }
            }
        }

        /** The payment service: returns when it has taken the money. */
        interface Payment {
            void pay() throws Exception;
        }

        /** Check, pay, take: a compound action, atomic only if the caller holds the lock. */
        static boolean tryToBuy(SharedInt tickets, Payment payment) {
            int left = tickets.get();
            if (left <= 0) {
                return false;
            }
            try {
                payment.pay();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                throw new IllegalStateException("the payment service failed", e);
            }
            tickets.set(left - 1);
            return true;
        }
    }
}
