package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.api.internal.TokenCheck;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The event stream's tickets: good once, for their caller, within {@link StreamTickets#TTL}, and nothing else. */
class StreamTicketsTest {
    static final TokenCheck.Caller OPS = new TokenCheck.Caller("ops", TokenCheck.Role.VIEWER);

    @Test
    void aTicketOpensOnceForItsCaller() {
        StreamTickets tickets = new StreamTickets(new AdminGuardIT.MovableClock());
        StreamTickets.Issued t = tickets.issue(OPS).orElseThrow();
        assertThat(t.ticket()).startsWith("fwe_").hasSizeGreaterThan(30);
        assertThat(tickets.redeem(t.ticket())).contains(OPS);
        assertThat(tickets.redeem(t.ticket())).as("a second use").isEmpty();
    }

    @Test
    void anExpiredUnknownOrEmptyTicketOpensNothing() {
        AdminGuardIT.MovableClock clock = new AdminGuardIT.MovableClock();
        StreamTickets tickets = new StreamTickets(clock);
        StreamTickets.Issued t = tickets.issue(OPS).orElseThrow();
        assertThat(t.expiresAt()).isEqualTo(clock.now.plus(StreamTickets.TTL));
        clock.now = clock.now.plus(StreamTickets.TTL).plus(Duration.ofMillis(1));
        assertThat(tickets.redeem(t.ticket())).as("expired").isEmpty();
        assertThat(tickets.redeem("fwe_made-up")).isEmpty();
        assertThat(tickets.redeem("")).isEmpty();
        assertThat(tickets.redeem(null)).isEmpty();
        assertThat(tickets.redeem("x".repeat(101))).isEmpty();
    }

    @Test
    void ticketsAreDistinctAndLimitedInNumber() {
        AdminGuardIT.MovableClock clock = new AdminGuardIT.MovableClock();
        StreamTickets tickets = new StreamTickets(clock);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < StreamTickets.MAX_OPEN; i++) {
            seen.add(tickets.issue(OPS).orElseThrow().ticket());
        }
        assertThat(seen).hasSize(StreamTickets.MAX_OPEN);
        assertThat(tickets.issue(OPS)).as("too many unused").isEmpty();
        clock.now = clock.now.plus(StreamTickets.TTL);
        assertThat(tickets.issue(OPS)).as("the expired ones are dropped").isPresent();
    }
}
