package io.jshm.core.region;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The child-JVM side of {@link SharedRegionTest}. */
final class RegionChildren {
    static final long REPLY = 0x5EED_F00DL;
    private static final long BODY_SIZE = 4096;

    private RegionChildren() {
    }

    /** Fills a body with a pattern derived from each long's index. */
    static void fillPattern(MemorySegment body) {
        for (long i = 0; i < body.byteSize() / Long.BYTES; i++) {
            body.setAtIndex(ValueLayout.JAVA_LONG, i, i * 31 + 7);
        }
    }

    static void checkPattern(MemorySegment body, long longs) {
        for (long i = 0; i < longs; i++) {
            long found = body.getAtIndex(ValueLayout.JAVA_LONG, i);
            if (found != i * 31 + 7) {
                throw new AssertionError("body long " + i + " is " + found + ", expected " + (i * 31 + 7));
            }
        }
    }

    /** Starts a JVM running {@code main} as user 'nobody', on a class path of just core's classes. */
    static Process startAsNobody(Class<?> main, String... args) throws IOException {
        String classes = Path.of(SharedRegion.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        String testClasses = Path.of(RegionChildren.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", classes + ":" + testClasses, main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Opens the region, checks what the parent wrote, and writes a reply into its last long. */
    static final class OpenAndReply {
        public static void main(String[] args) {
            try (SharedRegion region = SharedRegion.open(ShmFile.of(Path.of(args[0]), args[1]), RegionKind.TEST)) {
                region.requireParameter(0, "p0", 7);
                region.requireParameter(1, "p1", 8);
                region.requireParameter(2, "p2", 9);
                region.requireBodySize(BODY_SIZE);
                checkPattern(region.body(), BODY_SIZE / Long.BYTES - 1);
                region.body().set(ValueLayout.JAVA_LONG, BODY_SIZE - Long.BYTES, REPLY);
            }
        }
    }

    /** Waits for the start gun, then openOrCreates names r0..rN, printing which it did for each. */
    static final class Racer {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int rounds = Integer.parseInt(args[1]);
            while (!Files.exists(dir.resolve("go"))) {
                TimeUnit.MICROSECONDS.sleep(200);
            }
            RegionSpec spec = new RegionSpec(RegionKind.TEST, BODY_SIZE, 7, 8, 9);
            StringBuilder report = new StringBuilder();
            for (int round = 0; round < rounds; round++) {
                try (SharedRegion region = SharedRegion.openOrCreate(ShmFile.of(dir, "r" + round), spec, RegionChildren::fillPattern)) {
                    checkPattern(region.body(), BODY_SIZE / Long.BYTES);
                    report.append("r").append(round).append(region.wasCreated() ? " CREATED" : " OPENED").append('\n');
                }
            }
            System.out.print(report);
        }
    }

    /** Opens a region it may not read; prints the exception's class for the parent to check. */
    static final class OpenExpectingAccessError {
        public static void main(String[] args) {
            try {
                SharedRegion.open(ShmFile.of(Path.of(args[0]).getParent(), Path.of(args[0]).getFileName().toString()),
                        RegionKind.TEST).close();
                System.out.println("opened, but should not have");
                System.exit(1);
            } catch (RegionAccessException expected) {
                System.out.println(expected.getClass().getSimpleName() + ": " + expected.getMessage());
            }
        }
    }
}
