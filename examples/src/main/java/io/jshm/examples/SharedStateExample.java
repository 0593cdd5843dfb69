package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;
import io.jshm.values.SharedDouble;
import io.jshm.values.SharedIntArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The seed's {@code Value} and {@code Array} lesson: the parent shares a double and an array of
 * ten ints; two children each negate their own half of the array (even and odd indexes) and
 * report the double they read; the parent then sees both children's writes.
 *
 * <p>{@code java ... io.jshm.examples.SharedStateExample}
 */
public final class SharedStateExample {
    private SharedStateExample() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("parent sees " + Arrays.toString(run()));
    }

    /** Runs the lesson; returns the array as the parent sees it at the end. */
    static int[] run() throws Exception {
        Path directory = Files.createTempDirectory(ShmFile.defaultDirectory(), "jshm-shared-state-");
        int[] initial = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        try (SharedDouble number = SharedDouble.create(ShmFile.of(directory, "number"), 3.1415927);
             SharedIntArray array = SharedIntArray.create(ShmFile.of(directory, "array"), initial)) {
            List<JvmProcess> children = List.of(
                    JvmProcess.builder(Negate.class).name("even").args(directory.toString(), "0").start(),
                    JvmProcess.builder(Negate.class).name("odd").args(directory.toString(), "1").start());
            for (JvmProcess child : children) {
                if (!child.join(Duration.ofMinutes(1)) || child.exitCode().getAsInt() != 0) {
                    throw new IllegalStateException(child + " did not finish cleanly");
                }
            }
            System.out.println("parent reads number = " + number.get());
            return array.toArray();
        } finally {
            Files.deleteIfExists(directory.resolve("number"));
            Files.deleteIfExists(directory.resolve("array"));
            Files.deleteIfExists(directory);
        }
    }

    /** Negates every other element, starting at the given index, and prints the shared double. */
    public static final class Negate {
        private Negate() {
        }

        public static void main(String[] args) {
            Path directory = Path.of(args[0]);
            int first = Integer.parseInt(args[1]);
            try (SharedDouble number = SharedDouble.open(ShmFile.of(directory, "number"));
                 SharedIntArray array = SharedIntArray.open(ShmFile.of(directory, "array"))) {
                for (int i = first; i < array.length(); i += 2) {
                    array.set(i, -array.get(i));
                }
                System.out.println(JvmProcess.currentProcessName() + " reads number = " + number.get());
            }
        }
    }
}
