package io.jshm.benchmarks.values;

import io.jshm.benchmarks.PeerFlags;
import io.jshm.core.region.ShmFile;
import io.jshm.values.SharedLong;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.ref.BinaryLongReference;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
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
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * {@code getAndAdd(1)} on one shared 64-bit counter: jshm's {@link SharedLong} against the JDK's
 * {@link AtomicLong} (heap, the floor), Agrona's {@link AtomicCounter} over an
 * {@link UnsafeBuffer} on a mapped file, and Chronicle Bytes' {@link BinaryLongReference} over
 * {@link MappedBytes}; then an increment under jshm's interprocess lock against
 * {@link ReentrantLock}. All counters live in files on {@code /dev/shm}. The subclasses fix the
 * thread count: {@link IncrementUncontended} (1) and {@link IncrementContended} (2, all threads on
 * the same counter).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {PeerFlags.NATIVE_ACCESS, PeerFlags.UNSAFE, PeerFlags.QUIET_SLF4J,
        PeerFlags.AGRONA_MISC, PeerFlags.CHRONICLE_REF, PeerFlags.CHRONICLE_NIO_CH_EXPORT, PeerFlags.CHRONICLE_MISC,
        PeerFlags.CHRONICLE_JAVAC, PeerFlags.CHRONICLE_JAVAC_OPEN, PeerFlags.CHRONICLE_LANG, PeerFlags.CHRONICLE_REFLECT,
        PeerFlags.CHRONICLE_IO, PeerFlags.CHRONICLE_UTIL, PeerFlags.CHRONICLE_NIO_CH, PeerFlags.CHRONICLE_NIO})
public abstract class IncrementBenchmark {
    private static final int AGRONA_VALUES_LENGTH = 4096;
    private static final int AGRONA_METADATA_LENGTH = AGRONA_VALUES_LENGTH * 4;

    private Path directory;
    private SharedLong jshm;
    private final AtomicLong jdk = new AtomicLong();
    private MappedByteBuffer agronaMapping;
    private AtomicCounter agrona;
    private MappedBytes chronicleBytes;
    private BinaryLongReference chronicle;
    private final ReentrantLock reentrantLock = new ReentrantLock();
    private long lockedByReentrantLock;

    @Setup
    public void setUp() throws IOException {
        directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-bench-");
        jshm = SharedLong.create(ShmFile.of(directory, "jshm"), 0);

        agronaMapping = IoUtil.mapNewFile(directory.resolve("agrona").toFile(), AGRONA_METADATA_LENGTH + AGRONA_VALUES_LENGTH);
        UnsafeBuffer metadata = new UnsafeBuffer(agronaMapping, 0, AGRONA_METADATA_LENGTH);
        UnsafeBuffer values = new UnsafeBuffer(agronaMapping, AGRONA_METADATA_LENGTH, AGRONA_VALUES_LENGTH);
        CountersManager counters = new CountersManager(metadata, values);
        agrona = new AtomicCounter(values, counters.allocate("bench"), counters);

        chronicleBytes = MappedBytes.mappedBytes(directory.resolve("chronicle").toFile(), 64 << 10);
        chronicle = new BinaryLongReference();
        chronicle.bytesStore(chronicleBytes, 0, Long.BYTES);
    }

    @TearDown
    public void tearDown() throws IOException {
        jshm.close();
        agrona.close();
        IoUtil.unmap(agronaMapping);
        chronicle.close();
        chronicleBytes.releaseLast();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(directory);
    }

    @Benchmark
    public long atomicJshmSharedLong() {
        return jshm.getAndAdd(1);
    }

    @Benchmark
    public long atomicJdkAtomicLong() {
        return jdk.getAndAdd(1);
    }

    @Benchmark
    public long atomicAgronaAtomicCounter() {
        return agrona.getAndAdd(1);
    }

    @Benchmark
    public long atomicChronicleBinaryLongReference() {
        return chronicle.addAtomicValue(1);
    }

    /** A read-then-write under the value's own robust interprocess lock. */
    @Benchmark
    @SuppressWarnings("try") // the guard only unlocks
    public long lockedJshmLock() {
        try (var held = jshm.lock()) {
            long next = jshm.getPlain() + 1;
            jshm.setPlain(next);
            return next;
        }
    }

    /** The same under an in-process {@link ReentrantLock}: the floor for a lock. */
    @Benchmark
    public long lockedJdkReentrantLock() {
        reentrantLock.lock();
        try {
            return ++lockedByReentrantLock;
        } finally {
            reentrantLock.unlock();
        }
    }
}
