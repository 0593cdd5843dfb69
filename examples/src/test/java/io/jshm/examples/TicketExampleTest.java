package io.jshm.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicketExampleTest {
    @Test
    void withTheLockExactlyOneOfTenBuyersGetsTheLastTicket() throws Exception {
        TicketExample.Outcome outcome = TicketExample.run(10);
        assertEquals(1, outcome.soldWithLock());
        // Released together by a barrier, all ten read the count long before the first of them,
        // 50 ms later, writes it back: without the lock the one ticket is sold several times.
        assertTrue(outcome.soldWithoutLock() > 1, "sold without the lock: " + outcome.soldWithoutLock());
    }
}
