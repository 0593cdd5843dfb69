package io.jshm.benchmarks.queue;

import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Whose turn it is in a paired benchmark ({@link CrossJvmQueuePairedThroughput},
 * {@link CrossJvmQueuePairedPingPong}): contenders {@code a} and {@code b} alternately, one
 * iteration each, {@code a} first among the warm-up iterations and again among the measured
 * ones. With an even number of warm-up iterations, measurement starts with {@code a} after a turn
 * of {@code b}.
 */
final class Turns {
    private boolean turnOfA;
    private IterationType previousIterationType;

    /**
     * Checks that {@code a} and {@code b} can be paired: two different contenders whose receivers
     * can wait their turn without taking a core (jshm's queues park, Agrona's rings are told to
     * park between turns, {@link PeerTurn}; Chronicle's tailer and the socket reader here spin).
     */
    static void checkPairable(String a, String b) {
        if (a.equals(b)) {
            throw new IllegalArgumentException("a and b are both " + a + ": pair two different contenders");
        }
        for (String kind : new String[] {a, b}) {
            if (!kind.startsWith("jshm-") && !kind.startsWith("agrona-")) {
                throw new IllegalArgumentException(kind + " cannot be paired: its receiver spins while it waits its turn"
                        + " (only the jshm queues and Agrona's rings can)");
            }
        }
    }

    /** Moves to the turn of {@code iteration}, which is about to start; true if it is {@code a}'s. */
    boolean next(IterationParams iteration) {
        turnOfA = iteration.getType() != previousIterationType || !turnOfA;
        previousIterationType = iteration.getType();
        return turnOfA;
    }
}
