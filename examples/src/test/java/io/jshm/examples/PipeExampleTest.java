package io.jshm.examples;

import io.jshm.core.testing.ShmTempDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.jshm.examples.ExampleAssertions.assertNoFilesLeft;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PipeExampleTest {
    @TempDir(factory = ShmTempDir.class)
    Path dir;

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void parentAndChildTalkBothWaysUntilEachClosesItsEnd() throws Exception {
        assertEquals(List.of(
                        "hello, parent",
                        "3 squared is 9",
                        "-5 squared is 25",
                        "1000 squared is 1000000",
                        "no more questions? I answered 3. Bye"),
                PipeExample.run(dir, 3, -5, 1000));
        assertNoFilesLeft(dir);
    }
}
