package io.jshm.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SharedStateExampleTest {
    @Test
    void theParentSeesBothChildrensWrites() throws Exception {
        assertArrayEquals(new int[] {0, -1, -2, -3, -4, -5, -6, -7, -8, -9}, SharedStateExample.run());
    }
}
