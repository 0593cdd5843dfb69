package io.jshm.core.region;

import io.jshm.core.os.FileSpace;
import io.jshm.core.os.ProcessIdentity;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A named region of shared memory: a file, mapped read-write, that starts with the common
 * header of {@link RegionDescriptor} and continues with a body whose layout belongs to its kind.
 * Every jshm object (lock, value, array, queue) is one region.
 *
 * <h2>Creating without a window</h2>
 * {@link #create} writes the whole file under a temporary name, reserves its pages
 * ({@code posix_fallocate}), writes header and body, publishes READY with a release store, and
 * only then gives it its name with {@code link(2)}, which fails if the name exists. The name
 * therefore never refers to a half-written file, and creation is exclusive (O_EXCL semantics)
 * between processes. This is a step beyond creating the named file with O_EXCL and filling it
 * in place: an opener can tell a damaged file from one still being written without waiting, and
 * a creator killed half-way leaves no name behind, only a temporary file.
 *
 * <h2>Opening without trusting</h2>
 * {@link #open} checks, before it touches anything past them, that the file is at least a
 * header long, has the magic, a known version, the expected kind and exactly the size its
 * header records; only then does it read the body. A file shorter than it claims would turn a
 * read into SIGBUS, so the length is always checked before the mapping is used.
 *
 * <h2>Threads and processes</h2>
 * A region may be used by any number of threads; {@link #close()} unmaps it, after which any
 * access to its memory throws {@link IllegalStateException} rather than crashing. Closing one
 * process's mapping affects no other process. {@link #unlink()} removes the name like
 * {@code shm_unlink}: mappings that exist stay valid, and the memory is freed when the last one
 * goes.
 */
public final class SharedRegion implements AutoCloseable {
    private static final AtomicLong TEMPORARY_NAMES = new AtomicLong();
    private static final int OPEN_OR_CREATE_ATTEMPTS = 100;

    private final ShmFile file;
    private final Arena arena;
    private final MemorySegment mapping;
    private final MemorySegment body;
    private final RegionKind kind;
    private final boolean created;

    private SharedRegion(ShmFile file, Arena arena, MemorySegment mapping, RegionKind kind, boolean created) {
        this.file = file;
        this.arena = arena;
        this.mapping = mapping;
        this.body = mapping.asSlice(RegionDescriptor.HEADER_SIZE);
        this.kind = kind;
        this.created = created;
    }

    /**
     * Creates the region, failing if its name exists.
     *
     * @param initializer writes the initial body; it sees zeroed memory of {@code spec.bodySize()}
     *                    bytes, and nothing it writes is visible to another process before it returns
     * @throws RegionExistsException   if the name exists
     * @throws RegionNoSpaceException  if the directory's file system cannot hold the region
     * @throws RegionAccessException   if the directory may not be written
     * @throws RegionNotFoundException if the directory does not exist
     */
    public static SharedRegion create(ShmFile file, RegionSpec spec, Consumer<MemorySegment> initializer) {
        Path path = file.path();
        Path directory = file.directory();
        if (!Files.isDirectory(directory)) {
            throw new RegionNotFoundException(path, "directory " + directory + " does not exist");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new RegionExistsException(path, "exists already");
        }
        ProcessIdentity me = ProcessIdentity.current();
        Path temporary = directory.resolve("." + file.name() + "." + me.pid() + "."
                + TEMPORARY_NAMES.incrementAndGet() + ".creating");
        Arena arena = Arena.ofShared();
        boolean published = false;
        try {
            MemorySegment mapping = createMapped(path, temporary, file, spec.totalSize(), arena);
            writeHeader(mapping, spec, me);
            initializer.accept(mapping.asSlice(RegionDescriptor.HEADER_SIZE));
            Words.setIntRelease(mapping, RegionDescriptor.INIT_STATE_OFFSET, RegionDescriptor.STATE_READY);
            try {
                Files.createLink(path, temporary);
            } catch (FileAlreadyExistsException e) {
                throw new RegionExistsException(path, "exists already (created by another process meanwhile)", e);
            } catch (IOException e) {
                throw new RegionException(path, "cannot give the new region its name: " + e, e);
            }
            published = true;
            return new SharedRegion(file, arena, mapping, spec.kind(), true);
        } finally {
            if (!published) {
                arena.close();
            }
            deleteQuietly(temporary);
        }
    }

    /**
     * Opens an existing region of {@code kind}, waiting at most {@link ShmFile#openTimeout()} for it to
     * be READY.
     *
     * @throws RegionNotFoundException   if there is no such file
     * @throws RegionTruncatedException  if the file is shorter than its header says
     * @throws RegionMagicException      if it is not a jshm region
     * @throws RegionVersionException    if its format version is not this build's
     * @throws RegionMismatchException   if it holds another kind, or was made in another pid namespace
     * @throws RegionSizeException       if it is longer than its header says
     * @throws RegionNotReadyException   if it is not READY in time
     * @throws RegionAccessException     if it may not be read and written
     */
    public static SharedRegion open(ShmFile file, RegionKind kind) {
        Path path = file.path();
        Arena arena = Arena.ofShared();
        boolean opened = false;
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long length = channel.size();
            if (length < RegionDescriptor.HEADER_SIZE) {
                throw new RegionTruncatedException(path, "file is " + length + " bytes, shorter than the "
                        + RegionDescriptor.HEADER_SIZE + "-byte region header");
            }
            MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, length, arena);
            validateHeader(path, mapping, length, kind);
            awaitReady(file, mapping);
            opened = true;
            return new SharedRegion(file, arena, mapping, kind, false);
        } catch (NoSuchFileException e) {
            throw new RegionNotFoundException(path, "no such region"
                    + (Files.isDirectory(file.directory()) ? "" : " (directory " + file.directory() + " does not exist)"), e);
        } catch (AccessDeniedException e) {
            throw new RegionAccessException(path, "permission denied", e);
        } catch (IOException e) {
            throw new RegionException(path, "cannot open: " + e, e);
        } finally {
            if (!opened) {
                arena.close();
            }
        }
    }

    /**
     * Opens the region if it exists, else creates it; race-free when several processes call
     * this at once: exactly one creates, the others open what it created. {@link #wasCreated()}
     * tells which happened; a caller that opened should check the parameters it expects.
     */
    public static SharedRegion openOrCreate(ShmFile file, RegionSpec spec, Consumer<MemorySegment> initializer) {
        for (int attempt = 0; ; attempt++) {
            try {
                return open(file, spec.kind());
            } catch (RegionNotFoundException notFound) {
                if (!Files.isDirectory(file.directory())) {
                    throw notFound;
                }
            }
            try {
                return create(file, spec, initializer);
            } catch (RegionExistsException exists) {
                // Created between our open and create (or unlinked again): open it next time round.
                if (attempt == OPEN_OR_CREATE_ATTEMPTS) {
                    throw new RegionException(file.path(), "appeared and vanished " + attempt
                            + " times while opening or creating it", exists);
                }
            }
        }
    }

    /** Removes the name {@code file}; mappings of it stay valid. Returns whether a file was removed. */
    public static boolean unlink(ShmFile file) {
        try {
            return Files.deleteIfExists(file.path());
        } catch (AccessDeniedException e) {
            throw new RegionAccessException(file.path(), "permission denied to unlink", e);
        } catch (IOException e) {
            throw new RegionException(file.path(), "cannot unlink: " + e, e);
        }
    }

    /** Removes this region's name; this mapping and others stay valid until closed. */
    public boolean unlink() {
        return unlink(file);
    }

    /** Unmaps the region. Any later access to its memory throws {@link IllegalStateException}. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    /** Whether this mapping is still open. */
    public boolean isOpen() {
        return arena.scope().isAlive();
    }

    public ShmFile file() {
        return file;
    }

    public RegionKind kind() {
        return kind;
    }

    /** Whether this object created the file (rather than opened an existing one). */
    public boolean wasCreated() {
        return created;
    }

    /** The body: everything after the header. */
    public MemorySegment body() {
        return body;
    }

    public long bodySize() {
        return body.byteSize();
    }

    /** Header parameter {@code index} (0, 1 or 2). */
    public long parameter(int index) {
        return mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.parameterOffset(index));
    }

    /** The process that created the file. */
    public ProcessIdentity creator() {
        return new ProcessIdentity(mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_PID_OFFSET),
                mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_START_TIME_OFFSET));
    }

    /** When the file was created. */
    public Instant createdAt() {
        return Instant.ofEpochMilli(mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.CREATED_MILLIS_OFFSET));
    }

    /**
     * Checks header parameter {@code index} against what the caller expects.
     *
     * @param property names the parameter in the exception, e.g. "capacity"
     * @param describe renders a value for the message, e.g. an element-type code as "LONG"
     * @throws RegionMismatchException naming the file, the property, found and expected
     */
    public void requireParameter(int index, String property, long expected, LongFunction<String> describe) {
        long found = parameter(index);
        if (found != expected) {
            throw new RegionMismatchException(file.path(), property, describe.apply(found), describe.apply(expected));
        }
    }

    /** {@link #requireParameter(int, String, long, LongFunction)} showing values as numbers. */
    public void requireParameter(int index, String property, long expected) {
        requireParameter(index, property, expected, Long::toString);
    }

    /**
     * Checks that the body is exactly as large as the parameters in the header imply.
     *
     * @throws RegionSizeException if not
     */
    public void requireBodySize(long expected) {
        if (bodySize() != expected) {
            throw new RegionSizeException(file.path(), "body is " + bodySize() + " bytes, but its header parameters imply "
                    + expected);
        }
    }

    @Override
    public String toString() {
        return "SharedRegion[" + kind + " " + file.path() + (isOpen() ? "" : ", closed") + "]";
    }

    private static MemorySegment createMapped(Path path, Path temporary, ShmFile file, long totalSize, Arena arena) {
        long free = usableSpace(file.directory());
        if (free >= 0 && totalSize > free) {
            // posix_fallocate would say the same, but only after reserving (and zeroing) what it could.
            throw new RegionNoSpaceException(path, "cannot reserve " + totalSize + " bytes: the file system of "
                    + file.directory() + " has " + free + " bytes free");
        }
        try {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(file.permissions()));
            // The umask may have taken bits away; the caller asked for exactly these.
            Files.setPosixFilePermissions(temporary, file.permissions());
            FileSpace.reserve(temporary, totalSize);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return channel.map(FileChannel.MapMode.READ_WRITE, 0, totalSize, arena);
            }
        } catch (FileSpace.NoSpaceException e) {
            throw new RegionNoSpaceException(path, "cannot reserve " + totalSize + " bytes: the file system of "
                    + file.directory() + " has " + usableSpace(file.directory()) + " bytes free", e);
        } catch (AccessDeniedException e) {
            throw new RegionAccessException(path, "permission denied to create a file in " + file.directory(), e);
        } catch (IOException e) {
            throw new RegionException(path, "cannot create: " + e, e);
        }
    }

    private static void writeHeader(MemorySegment mapping, RegionSpec spec, ProcessIdentity creator) {
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.MAGIC_OFFSET, RegionDescriptor.MAGIC);
        mapping.set(ValueLayout.JAVA_INT, RegionDescriptor.VERSION_OFFSET, RegionDescriptor.FORMAT_VERSION);
        mapping.set(ValueLayout.JAVA_INT, RegionDescriptor.KIND_OFFSET, spec.kind().code());
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.TOTAL_SIZE_OFFSET, spec.totalSize());
        mapping.set(ValueLayout.JAVA_INT, RegionDescriptor.HEADER_SIZE_OFFSET, RegionDescriptor.HEADER_SIZE);
        for (int i = 0; i < RegionDescriptor.PARAMETER_COUNT; i++) {
            mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.parameterOffset(i), spec.parameter(i));
        }
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_PID_OFFSET, creator.pid());
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_START_TIME_OFFSET, creator.startTime());
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.CREATED_MILLIS_OFFSET, System.currentTimeMillis());
        mapping.set(ValueLayout.JAVA_LONG, RegionDescriptor.PID_NAMESPACE_OFFSET, ProcessIdentity.pidNamespace());
    }

    private static void validateHeader(Path path, MemorySegment mapping, long length, RegionKind expectedKind) {
        long magic = mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.MAGIC_OFFSET);
        if (magic != RegionDescriptor.MAGIC) {
            throw new RegionMagicException(path, "not a jshm region: magic is 0x" + Long.toHexString(magic)
                    + ", expected 0x" + Long.toHexString(RegionDescriptor.MAGIC) + " (\"jshm-rgn\")");
        }
        int version = mapping.get(ValueLayout.JAVA_INT, RegionDescriptor.VERSION_OFFSET);
        if (version != RegionDescriptor.FORMAT_VERSION) {
            throw new RegionVersionException(path, "format version " + version + ", this build reads version "
                    + RegionDescriptor.FORMAT_VERSION);
        }
        int headerSize = mapping.get(ValueLayout.JAVA_INT, RegionDescriptor.HEADER_SIZE_OFFSET);
        if (headerSize != RegionDescriptor.HEADER_SIZE) {
            throw new RegionSizeException(path, "header size is " + headerSize + ", format version "
                    + RegionDescriptor.FORMAT_VERSION + " has " + RegionDescriptor.HEADER_SIZE);
        }
        int kindCode = mapping.get(ValueLayout.JAVA_INT, RegionDescriptor.KIND_OFFSET);
        if (kindCode != expectedKind.code()) {
            RegionKind found = RegionKind.ofCode(kindCode);
            throw new RegionMismatchException(path, "kind", found == null ? "unknown kind code " + kindCode : found,
                    expectedKind);
        }
        long namespace = mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.PID_NAMESPACE_OFFSET);
        if (namespace != ProcessIdentity.pidNamespace()) {
            throw new RegionMismatchException(path, "pid namespace", namespace, ProcessIdentity.pidNamespace()
                    + " (this process's; jshm objects are shared within one pid namespace, as their locks name owners by pid)");
        }
        long totalSize = mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.TOTAL_SIZE_OFFSET);
        if (length < totalSize) {
            throw new RegionTruncatedException(path, "file is " + length + " bytes, its header records " + totalSize);
        }
        if (length != totalSize || totalSize <= RegionDescriptor.HEADER_SIZE) {
            throw new RegionSizeException(path, "file is " + length + " bytes, its header records " + totalSize);
        }
    }

    private static void awaitReady(ShmFile file, MemorySegment mapping) {
        long deadline = System.nanoTime() + file.openTimeout().toNanos();
        long pauseMicros = 50;
        while (Words.getIntAcquire(mapping, RegionDescriptor.INIT_STATE_OFFSET) != RegionDescriptor.STATE_READY) {
            ProcessIdentity creator = new ProcessIdentity(
                    mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_PID_OFFSET),
                    mapping.get(ValueLayout.JAVA_LONG, RegionDescriptor.CREATOR_START_TIME_OFFSET));
            if (!creator.isAlive()) {
                throw new RegionNotReadyException(file.path(), "not READY and its creator (pid " + creator.pid()
                        + ") is gone: it will never be");
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new RegionNotReadyException(file.path(), "not READY after " + file.openTimeout().toMillis()
                        + " ms (init state " + Words.getIntAcquire(mapping, RegionDescriptor.INIT_STATE_OFFSET)
                        + "); its creator, pid " + creator.pid() + ", still runs");
            }
            sleepMicros(pauseMicros);
            pauseMicros = Math.min(pauseMicros * 2, 10_000);
        }
    }

    private static void sleepMicros(long micros) {
        try {
            TimeUnit.MICROSECONDS.sleep(micros);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a region to become READY", e);
        }
    }

    private static long usableSpace(Path directory) {
        try {
            return Files.getFileStore(directory).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path temporary) {
        try {
            Files.deleteIfExists(temporary);
        } catch (IOException ignored) {
            // A leftover temporary name is harmless: it is never opened.
        }
    }
}
