package io.jshm.benchmarks.queue;

import io.jshm.benchmarks.PeerFlags;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every cross-JVM queue benchmark shares: one fork, the same warm-up and measurement, and the
 * JVM flags of every contender. Both ends of a channel run with the same flags ({@link QueuePeer}
 * reads them from here), so no contender is measured on one side with flags it lacks on the other;
 * jshm itself needs only native access, the rest is for Agrona and Chronicle (see {@link PeerFlags}).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {PeerFlags.NATIVE_ACCESS, PeerFlags.UNSAFE, PeerFlags.QUIET_SLF4J,
        PeerFlags.CHRONICLE_ANALYTICS_OFF, PeerFlags.AGRONA_MISC, PeerFlags.CHRONICLE_REF, PeerFlags.CHRONICLE_NIO_CH_EXPORT,
        PeerFlags.CHRONICLE_MISC, PeerFlags.CHRONICLE_JAVAC, PeerFlags.CHRONICLE_JAVAC_OPEN, PeerFlags.CHRONICLE_LANG,
        PeerFlags.CHRONICLE_REFLECT, PeerFlags.CHRONICLE_IO, PeerFlags.CHRONICLE_UTIL})
public abstract class CrossJvmQueueBenchmark {
}
