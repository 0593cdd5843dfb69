package io.jshm.examples;

import io.jshm.core.process.JvmProcess;
import io.jshm.core.region.ShmFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the queue and pipe examples share: small child JVMs, joining them, a directory for their files. */
final class ExampleSupport {
    /** The longest any example waits for a child or a message. */
    static final Duration TIMEOUT = Duration.ofMinutes(1);

    /** A function of the directory an example's shared files live in. */
    @FunctionalInterface
    interface InDirectory<T> {
        T run(Path directory) throws Exception;
    }

    /**
     * What a queue example tells each child: the directory of the shared files, which producer or
     * consumer it is (from 0), and how many items each producer makes (producer {@code p}'s
     * {@code i}-th item is item {@code p * itemsPerProducer + i}).
     */
    record Assignment(Path directory, int index, int itemsPerProducer) {
        static Assignment of(String[] args) {
            return new Assignment(Path.of(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        }

        /** The child's arguments that {@link #of} reads back. */
        Object[] args() {
            return new Object[] {directory, index, itemsPerProducer};
        }

        ShmFile file(String name) {
            return ShmFile.of(directory, name);
        }

        /** This producer's first item; its last is {@code firstItem() + itemsPerProducer - 1}. */
        int firstItem() {
            return index * itemsPerProducer;
        }
    }

    private ExampleSupport() {
    }

    /**
     * A small, quick-starting child JVM named {@code name} that will run {@code mainClass.main(args)},
     * its output captured: children writing to one terminal at once would cut into each other's lines.
     */
    static JvmProcess.Builder child(Class<?> mainClass, String name, Object... args) {
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = String.valueOf(args[i]);
        }
        return JvmProcess.builder(mainClass).name(name).args(strings).captureOutput()
                .jvmOptions("-XX:+UseSerialGC", "-Xmx64m", "-XX:TieredStopAtLevel=1");
    }

    /**
     * Starts {@code count} children running {@code mainClass.main}, named after it in lower case
     * and numbered from 1 ({@code producer-1}, ...), the {@code i}-th given
     * {@code Assignment(directory, i, itemsPerProducer)}. Adds each to {@code started} as soon as
     * it runs, so the caller can close it whatever happens next; returns them.
     */
    static List<JvmProcess> startEach(Class<?> mainClass, int count, Path directory, int itemsPerProducer,
                                      boolean daemon, List<JvmProcess> started) {
        List<JvmProcess> these = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = mainClass.getSimpleName().toLowerCase(Locale.ROOT) + "-" + (i + 1);
            JvmProcess child = child(mainClass, name, new Assignment(directory, i, itemsPerProducer).args()).daemon(daemon).start();
            started.add(child);
            these.add(child);
        }
        return these;
    }

    /**
     * Waits (at most {@link #TIMEOUT} each) for every child to end, and prints its output; throws
     * unless each exited with 0.
     */
    static void joinAll(List<JvmProcess> children) throws InterruptedException {
        for (JvmProcess child : children) {
            if (!child.join(TIMEOUT) || child.exitCode().getAsInt() != 0) {
                throw new IllegalStateException(child + " did not finish cleanly; its output:\n" + child.output());
            }
            System.out.print(child.output());
        }
    }

    /** Deletes the named files of {@code directory} that exist. */
    static void deleteFiles(Path directory, String... names) throws IOException {
        for (String name : names) {
            Files.deleteIfExists(directory.resolve(name));
        }
    }

    /**
     * Runs {@code example} in a new directory under {@code /dev/shm} and removes the directory
     * afterwards, which fails if the example left a shared file behind.
     */
    static <T> T inNewDirectory(String prefix, InDirectory<T> example) throws Exception {
        Path directory = Files.createTempDirectory(ShmFile.defaultDirectory(), prefix);
        try {
            return example.run(directory);
        } finally {
            Files.delete(directory);
        }
    }
}
