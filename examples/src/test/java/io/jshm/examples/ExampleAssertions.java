package io.jshm.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions the queue and pipe examples' tests share. */
final class ExampleAssertions {
    private ExampleAssertions() {
    }

    /** Asserts that {@code actual} has {@code length} elements, each equal to {@code expected}. */
    static void assertAll(int expected, int length, int[] actual, String what) {
        int[] all = new int[length];
        Arrays.fill(all, expected);
        assertArrayEquals(all, actual, what);
    }

    /** Asserts that the example removed every shared file it made in {@code directory}. */
    static void assertNoFilesLeft(Path directory) throws IOException {
        try (Stream<Path> left = Files.list(directory)) {
            assertEquals(List.of(), left.toList(), "shared files left behind");
        }
    }
}
