package io.jshm.examples;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TicketExampleTest {
    @Test
    void withTheLockExactlyOneOfTenBuyersGetsTheLastTicket() throws Exception {
        TicketExample.Outcome outcome = TicketExample.run(10);
        assertEquals(1, outcome.soldWithLock());
        // Without the lock no buyer pays before every buyer has looked, so each sees the ticket.
        assertEquals(10, outcome.soldWithoutLock(), "sold without the lock");
    }
}
