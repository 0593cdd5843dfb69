package io.jshm.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicketExampleTest {
    @Test
    void withTheLockExactlyOneOfTenBuyersGetsTheLastTicket() throws Exception {
        TicketExample.Outcome outcome = TicketExample.run(10);
        assertEquals(1, outcome.soldWithLock());
        // Released together by a barrier, the buyers read the count before the first of them,
        // PAYMENT_DELAY later, writes it back: without the lock the one ticket is sold several times.
        assertTrue(outcome.soldWithoutLock() > 1, "sold without the lock: " + outcome.soldWithoutLock());
    }
}
