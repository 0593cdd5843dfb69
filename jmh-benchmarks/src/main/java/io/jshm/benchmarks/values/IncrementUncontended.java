package io.jshm.benchmarks.values;

import org.openjdk.jmh.annotations.Threads;

/** {@link IncrementBenchmark} on one thread: the cost of the instruction and its checks. */
@Threads(1)
public class IncrementUncontended extends IncrementBenchmark {
}
