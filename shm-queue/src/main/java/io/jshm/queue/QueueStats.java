package io.jshm.queue;

/**
 * What a queue recovered from dead processes, since it was created (shared by all processes).
 *
 * @param skippedClaims  slots a producer claimed and never published because its process died;
 *                       skipped by the others (the message it was writing is lost)
 * @param abandonedReads messages a consumer had claimed when its process died; the slot was
 *                       given back to producers (the message may or may not have been handled)
 */
public record QueueStats(long skippedClaims, long abandonedReads) {
}
