package io.jshm.benchmarks.core;

import io.jshm.core.region.ShmFile;
import io.jshm.core.sync.ShmLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Uncontended lock + unlock: jshm's interprocess lock beside the JDK's in-process locks. The
 * jshm lock does one CAS and one atomic exchange on mapped memory, no system call.
 *
 * <p>{@code ./jshm bench LockBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class LockBenchmark {
    private Path directory;
    private ShmLock shmLock;
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private final Object monitor = new Object();
    private long counter;

    @Setup
    public void setUp() throws IOException {
        directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-bench-");
        shmLock = ShmLock.create(ShmFile.of(directory, "lock"));
    }

    @TearDown
    public void tearDown() throws IOException {
        shmLock.unlink();
        shmLock.close();
        Files.deleteIfExists(directory);
    }

    @Benchmark
    public long jshmLockUnlock() {
        shmLock.lock();
        try {
            return ++counter;
        } finally {
            shmLock.unlock();
        }
    }

    @Benchmark
    public long jshmGuard() {
        try (ShmLock.Guard guard = shmLock.acquire()) {
            return ++counter;
        }
    }

    @Benchmark
    public long reentrantLockUnlock() {
        reentrantLock.lock();
        try {
            return ++counter;
        } finally {
            reentrantLock.unlock();
        }
    }

    @Benchmark
    public long synchronizedBlock() {
        synchronized (monitor) {
            return ++counter;
        }
    }
}
