package io.fleetwatch.api;

import io.fleetwatch.api.internal.TokenCheck;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tickets for the event stream: a browser's EventSource cannot send an Authorization header, so the page asks for a
 * ticket with its bearer token and opens the stream with {@code ?ticket=}. A ticket is random (24 bytes), held only as
 * its SHA-256, good once and for {@link #TTL}, and carries the caller the token named. It never reaches a log.
 */
@Singleton
public final class StreamTickets {
    static final Duration TTL = Duration.ofSeconds(30);
    /** Unredeemed tickets held at most; a caller asking for more waits for some to expire. */
    static final int MAX_OPEN = 10_000;

    /** A ticket just issued, and until when it can open the stream. */
    public record Issued(String ticket, Instant expiresAt) {}

    private record Held(TokenCheck.Caller caller, Instant until) {}

    private final Map<String, Held> open = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    public StreamTickets(Clock clock) {
        this.clock = clock;
    }

    Optional<Issued> issue(TokenCheck.Caller caller) {
        Instant now = clock.instant();
        open.values().removeIf(h -> !now.isBefore(h.until()));
        if (open.size() >= MAX_OPEN) {
            return Optional.empty();
        }
        byte[] b = new byte[24];
        random.nextBytes(b);
        String ticket = "fwe_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Instant until = now.plus(TTL);
        open.put(key(ticket), new Held(caller, until));
        return Optional.of(new Issued(ticket, until));
    }

    /** The caller a ticket was issued to, once; empty for an unknown, used or expired ticket. */
    Optional<TokenCheck.Caller> redeem(String ticket) {
        if (ticket == null || ticket.isEmpty() || ticket.length() > 100) {
            return Optional.empty();
        }
        Held h = open.remove(key(ticket));
        return h != null && clock.instant().isBefore(h.until()) ? Optional.of(h.caller()) : Optional.empty();
    }

    private static String key(String ticket) {
        return HexFormat.of().formatHex(TokenCheck.sha256(ticket));
    }
}
