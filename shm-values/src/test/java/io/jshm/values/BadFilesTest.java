package io.jshm.values;

import io.jshm.core.region.RegionKind;
import io.jshm.core.region.RegionMagicException;
import io.jshm.core.region.RegionMismatchException;
import io.jshm.core.region.RegionNotFoundException;
import io.jshm.core.region.RegionSpec;
import io.jshm.core.region.RegionTruncatedException;
import io.jshm.core.region.SharedRegion;
import io.jshm.core.region.ShmFile;
import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening a file as what it is not fails with an exception that names file, found and expected. */
@SuppressWarnings("try") // resources that only keep a file open for the test
class BadFilesTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    void aLongOpenedAsAnIntOrDoubleIsAnElementTypeMismatch() {
        ShmFile file = ShmFile.of(dir, "counter");
        try (SharedLong ignored = SharedLong.create(file, 1)) {
            assertMismatch(file, "element type", "LONG", "INT", () -> SharedInt.open(file));
            assertMismatch(file, "element type", "LONG", "DOUBLE", () -> SharedDouble.openOrCreate(file, 0));
        }
    }

    @Test
    void aValueOpenedAsAnArrayIsAKindMismatchAndViceVersa() {
        ShmFile value = ShmFile.of(dir, "value");
        ShmFile array = ShmFile.of(dir, "array");
        try (SharedLong ignored = SharedLong.create(value, 1);
             SharedLongArray ignoredToo = SharedLongArray.create(array, 2)) {
            assertMismatch(value, "kind", "VALUE", "ARRAY", () -> SharedLongArray.open(value));
            assertMismatch(array, "kind", "ARRAY", "VALUE", () -> SharedLong.open(array));
        }
    }

    @Test
    void anArrayOpenedWithAnotherLengthOrTypeIsAMismatch() {
        ShmFile file = ShmFile.of(dir, "samples");
        try (SharedDoubleArray created = SharedDoubleArray.create(file, 10)) {
            assertMismatch(file, "length", "10", "20", () -> SharedDoubleArray.open(file, 20));
            assertMismatch(file, "length", "10", "11", () -> SharedDoubleArray.openOrCreate(file, 11));
            assertMismatch(file, "element type", "DOUBLE", "LONG", () -> SharedLongArray.open(file, 10));
            try (SharedDoubleArray any = SharedDoubleArray.open(file)) {
                assertEquals(10, any.length());
            }
        }
    }

    @Test
    void aFileOfAnotherKindIsAKindMismatch() {
        ShmFile file = ShmFile.of(dir, "other");
        try (SharedRegion ignored = SharedRegion.create(file, RegionSpec.of(RegionKind.TEST, 256), body -> { })) {
            assertMismatch(file, "kind", "TEST", "VALUE", () -> SharedLong.open(file));
        }
    }

    @Test
    void anUnknownElementTypeIsNamedAsSuch() {
        ShmFile file = ShmFile.of(dir, "future");
        try (SharedRegion ignored = SharedRegion.create(file,
                new RegionSpec(RegionKind.VALUE, ValueDescriptor.VALUE_BODY_SIZE, 99, 0, 0), body -> { })) {
            assertMismatch(file, "element type", "unknown element type code 99", "LONG", () -> SharedLong.open(file));
        }
    }

    @Test
    void missingTruncatedAndForeignFilesAreNamed() throws IOException {
        ShmFile missing = ShmFile.of(dir, "missing");
        assertEquals(missing.path(), assertThrows(RegionNotFoundException.class, () -> SharedLong.open(missing)).file());

        ShmFile truncated = ShmFile.of(dir, "truncated");
        SharedLongArray.create(truncated, 1000).close();
        try (var channel = Files.newByteChannel(truncated.path(), StandardOpenOption.WRITE)) {
            channel.truncate(1024);
        }
        assertEquals(truncated.path(),
                assertThrows(RegionTruncatedException.class, () -> SharedLongArray.open(truncated)).file());

        ShmFile foreign = ShmFile.of(dir, "foreign");
        Files.write(foreign.path(), new byte[4096]);
        assertEquals(foreign.path(), assertThrows(RegionMagicException.class, () -> SharedInt.open(foreign)).file());
    }

    @Test
    void newFilesAreOwnerOnly() throws IOException {
        ShmFile file = ShmFile.of(dir, "private");
        try (SharedInt ignored = SharedInt.create(file, 0)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path())));
        }
    }

    private static void assertMismatch(ShmFile file, String property, String found, String expected, Executable open) {
        RegionMismatchException e = assertThrows(RegionMismatchException.class, open);
        assertEquals(file.path(), e.file());
        assertEquals(property, e.property());
        assertEquals(found, e.found());
        assertEquals(expected, e.expected());
        assertTrue(e.getMessage().contains(file.path().toString()) && e.getMessage().contains(found)
                && e.getMessage().contains(expected), e.getMessage());
    }
}
