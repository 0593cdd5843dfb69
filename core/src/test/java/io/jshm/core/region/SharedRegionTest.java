package io.jshm.core.region;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.testing.Children;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedRegionTest {
    private static final long BODY_SIZE = 4096;
    private static final RegionSpec SPEC = new RegionSpec(RegionKind.TEST, BODY_SIZE, 7, 8, 9);

    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void roundTripBetweenTwoJvms() throws Exception {
        ShmFile file = ShmFile.of(dir, "round-trip");
        try (SharedRegion region = SharedRegion.create(file, SPEC, RegionChildren::fillPattern);
             Children children = new Children()) {
            assertTrue(region.wasCreated());
            JvmProcess child = children.start(RegionChildren.OpenAndReply.class, dir.toString(), "round-trip");
            Children.assertExitsCleanly(child, Duration.ofSeconds(60));
            assertEquals(RegionChildren.REPLY, region.body().get(ValueLayout.JAVA_LONG, BODY_SIZE - Long.BYTES),
                    "the child's write is visible in the parent's mapping");
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
    }

    @Test
    void openOrCreateRacedByFourJvmsHasOneCreatorPerName() throws Exception {
        int rounds = 25;
        Path startGun = dir.resolve("go");
        try (Children children = new Children()) {
            List<JvmProcess> racers = Arrays.asList(new JvmProcess[4]);
            for (int i = 0; i < racers.size(); i++) {
                racers.set(i, children.start(RegionChildren.Racer.class, dir.toString(), Integer.toString(rounds)));
            }
            Files.createFile(startGun);
            children.assertAllExitCleanly(Duration.ofSeconds(90));
            Map<String, Long> creatorsPerName = racers.stream()
                    .flatMap(racer -> racer.output().lines())
                    .filter(line -> line.endsWith(" CREATED"))
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertEquals(rounds, creatorsPerName.size(), () -> "one creator per name: " + creatorsPerName);
            creatorsPerName.forEach((line, count) -> assertEquals(1L, count, line));
            long opened = racers.stream().flatMap(racer -> racer.output().lines()).filter(l -> l.endsWith(" OPENED")).count();
            assertEquals(rounds * 3L, opened, "every other racer opened a complete file");
        }
        try (var leftovers = Files.list(dir)) {
            assertTrue(leftovers.noneMatch(p -> p.getFileName().toString().endsWith(".creating")), "no temporary files left");
        }
    }

    @Test
    void createFailsWhenTheNameExists() {
        ShmFile file = ShmFile.of(dir, "twice");
        try (SharedRegion first = SharedRegion.create(file, SPEC, body -> { })) {
            RegionExistsException e = assertThrows(RegionExistsException.class, () -> SharedRegion.create(file, SPEC, body -> { }));
            assertEquals(file.path(), e.file());
        }
    }

    @Test
    void openOfAMissingFileSaysSo() {
        RegionNotFoundException e = assertThrows(RegionNotFoundException.class,
                () -> SharedRegion.open(ShmFile.of(dir, "missing"), RegionKind.TEST));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
        assertThrows(RegionNotFoundException.class,
                () -> SharedRegion.open(ShmFile.of(dir.resolve("no-such-dir"), "x"), RegionKind.TEST));
        assertThrows(RegionNotFoundException.class,
                () -> SharedRegion.create(ShmFile.of(dir.resolve("no-such-dir"), "x"), SPEC, body -> { }));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, RegionDescriptor.HEADER_SIZE / 2, RegionDescriptor.HEADER_SIZE + BODY_SIZE / 2})
    void truncatedFilesAreRejectedBeforeTheyAreRead(long length) throws IOException {
        ShmFile file = createAndClose("truncated");
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            channel.truncate(length);
        }
        RegionTruncatedException e = assertThrows(RegionTruncatedException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        assertTrue(e.getMessage().contains(file.path().toString()), e.getMessage());
    }

    @Test
    void aFileThatIsNotARegionHasTheWrongMagic() throws IOException {
        ShmFile file = ShmFile.of(dir, "not-a-region");
        Files.write(file.path(), new byte[1024]);
        assertThrows(RegionMagicException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        ShmFile corrupted = createAndClose("bad-magic");
        writeLong(corrupted, RegionDescriptor.MAGIC_OFFSET, 0x1234_5678L);
        RegionMagicException e = assertThrows(RegionMagicException.class, () -> SharedRegion.open(corrupted, RegionKind.TEST));
        assertTrue(e.getMessage().contains("0x12345678"), e.getMessage());
    }

    @Test
    void anotherFormatVersionIsRejected() throws IOException {
        ShmFile file = createAndClose("version");
        writeInt(file, RegionDescriptor.VERSION_OFFSET, RegionDescriptor.FORMAT_VERSION + 1);
        RegionVersionException e = assertThrows(RegionVersionException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        assertTrue(e.getMessage().contains("version " + (RegionDescriptor.FORMAT_VERSION + 1)), e.getMessage());
    }

    @Test
    void anotherKindIsAMismatchNamingBoth() {
        ShmFile file = createAndClose("kind");
        RegionMismatchException e = assertThrows(RegionMismatchException.class, () -> SharedRegion.open(file, RegionKind.LOCK));
        assertEquals("kind", e.property());
        assertEquals("TEST", e.found());
        assertEquals("LOCK", e.expected());
        assertThrows(RegionMismatchException.class,
                () -> SharedRegion.openOrCreate(file, RegionSpec.of(RegionKind.LOCK, 128), body -> { }));
    }

    @Test
    void aRegionMadeInAnotherPidNamespaceIsRefused() throws IOException {
        ShmFile file = createAndClose("other-namespace");
        writeLong(file, RegionDescriptor.PID_NAMESPACE_OFFSET, 12345L);
        RegionMismatchException e = assertThrows(RegionMismatchException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        assertEquals("pid namespace", e.property());
        assertEquals("12345", e.found());
    }

    @Test
    void aFileLongerThanItsHeaderSaysIsASizeMismatch() throws IOException {
        ShmFile file = createAndClose("extended");
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.allocate(1), SPEC.totalSize() + 4095);
        }
        assertThrows(RegionSizeException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        ShmFile lying = createAndClose("lying-header");
        writeLong(lying, RegionDescriptor.TOTAL_SIZE_OFFSET, SPEC.totalSize() - 8);
        assertThrows(RegionSizeException.class, () -> SharedRegion.open(lying, RegionKind.TEST));
    }

    @Test
    void parametersAndBodySizeAreCheckedByTheCaller() {
        ShmFile file = ShmFile.of(dir, "parameters");
        try (SharedRegion region = SharedRegion.create(file, SPEC, body -> { })) {
            region.requireParameter(1, "capacity", 8);
            RegionMismatchException e = assertThrows(RegionMismatchException.class,
                    () -> region.requireParameter(1, "capacity", 16));
            assertEquals("8", e.found());
            assertEquals("16", e.expected());
            assertTrue(e.getMessage().contains(file.path().toString()) && e.getMessage().contains("capacity"), e.getMessage());
            assertThrows(RegionSizeException.class, () -> region.requireBodySize(BODY_SIZE * 2));
        }
    }

    @Test
    void aFileNeverMarkedReadyTimesOutWithinItsBound() throws IOException {
        ShmFile file = createAndClose("never-ready").withOpenTimeout(Duration.ofMillis(200));
        writeInt(file, RegionDescriptor.INIT_STATE_OFFSET, RegionDescriptor.STATE_INITIALIZING);
        long start = System.nanoTime();
        RegionNotReadyException e = assertThrows(RegionNotReadyException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 200 && millis < 2_000, "gave up after " + millis + " ms");
        assertTrue(e.getMessage().contains("not READY"), e.getMessage());
    }

    @Test
    void aFileWhoseDeadCreatorNeverMarkedItReadyFailsAtOnce() throws IOException {
        ShmFile file = createAndClose("orphan");
        writeInt(file, RegionDescriptor.INIT_STATE_OFFSET, RegionDescriptor.STATE_INITIALIZING);
        writeLong(file, RegionDescriptor.CREATOR_PID_OFFSET, Integer.MAX_VALUE);
        long start = System.nanoTime();
        RegionNotReadyException e = assertThrows(RegionNotReadyException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        assertTrue(System.nanoTime() - start < Duration.ofMillis(500).toNanos());
        assertTrue(e.getMessage().contains("is gone"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "", ".", "..", "sp ace", "tab\t", "/abs"})
    void badNamesAreRejected(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShmFile.of(dir, name));
        assertTrue(e.getMessage().contains("invalid shared object name"), e.getMessage());
    }

    @Test
    void aNameOf300CharactersIsRejectedAnd200Accepted() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShmFile.of(dir, "n".repeat(300)));
        assertTrue(e.getMessage().contains("300 characters"), e.getMessage());
        try (SharedRegion region = SharedRegion.create(ShmFile.of(dir, "n".repeat(200)), SPEC, body -> { })) {
            assertTrue(region.isOpen());
        }
    }

    @Test
    void aRegionLargerThanTheFreeSpaceFailsAtCreateTime() throws IOException {
        long oneTebibyte = 1L << 40;
        ShmFile file = ShmFile.of(dir, "huge");
        RegionNoSpaceException e = assertThrows(RegionNoSpaceException.class,
                () -> SharedRegion.create(file, RegionSpec.of(RegionKind.TEST, oneTebibyte), body -> { }));
        assertTrue(e.getMessage().contains("bytes free"), e.getMessage());
        assertFalse(Files.exists(file.path()));
        try (var leftovers = Files.list(dir)) {
            assertEquals(0, leftovers.count(), "nothing left behind");
        }
    }

    @Test
    void aFileTheProcessMayNotOpenIsAnAccessError() throws Exception {
        ShmFile file = createAndClose("private");
        if (!"root".equals(System.getProperty("user.name"))) {
            Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("---------"));
            assertThrows(RegionAccessException.class, () -> SharedRegion.open(file, RegionKind.TEST));
            return;
        }
        // Root reads any file: open it from a child JVM running as 'nobody' instead.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process child = RegionChildren.startAsNobody(RegionChildren.OpenExpectingAccessError.class, file.path().toString());
        assertTrue(child.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "child as nobody finished");
        String output = new String(child.getInputStream().readAllBytes());
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("RegionAccessException"), output);
    }

    @Test
    void aClosedRegionThrowsInsteadOfCrashing() {
        SharedRegion region = SharedRegion.create(ShmFile.of(dir, "closed"), SPEC, body -> { });
        region.close();
        region.close();
        assertFalse(region.isOpen());
        assertThrows(IllegalStateException.class, () -> region.body().get(ValueLayout.JAVA_LONG, 0));
        assertTrue(region.unlink());
        assertFalse(region.unlink());
    }

    @Test
    void unlinkKeepsExistingMappingsValid() {
        ShmFile file = ShmFile.of(dir, "unlinked");
        try (SharedRegion region = SharedRegion.create(file, SPEC, body -> body.set(ValueLayout.JAVA_LONG, 0, 42L))) {
            assertTrue(SharedRegion.unlink(file));
            assertEquals(42L, region.body().get(ValueLayout.JAVA_LONG, 0));
            assertThrows(RegionNotFoundException.class, () -> SharedRegion.open(file, RegionKind.TEST));
        }
    }

    private ShmFile createAndClose(String name) {
        ShmFile file = ShmFile.of(dir, name);
        SharedRegion.create(file, SPEC, RegionChildren::fillPattern).close();
        return file;
    }

    private static void writeInt(ShmFile file, int offset, int value) throws IOException {
        write(file, offset, ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(0, value));
    }

    private static void writeLong(ShmFile file, int offset, long value) throws IOException {
        write(file, offset, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.nativeOrder()).putLong(0, value));
    }

    private static void write(ShmFile file, int offset, ByteBuffer bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            channel.write(bytes, offset);
        }
    }
}
