package io.jshm.benchmarks.values;

import org.openjdk.jmh.annotations.Threads;

/** {@link IncrementBenchmark} on two threads hitting the same counter: the cache line moves between cores. */
@Threads(2)
public class IncrementContended extends IncrementBenchmark {
}
