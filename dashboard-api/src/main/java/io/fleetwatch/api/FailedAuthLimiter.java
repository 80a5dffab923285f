package io.fleetwatch.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A sliding window of failed bearer-token checks per client address: after {@code maxFailures} within
 * {@code window}, the address is refused (429) until its oldest failure leaves the window, without its token being
 * checked. Only failures count: a client with a good token is never slowed down by this.
 */
final class FailedAuthLimiter {
    /** Addresses tracked at most; past this, those whose failures have all aged out are forgotten. */
    static final int MAX_TRACKED = 10_000;

    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<String, ArrayDeque<Instant>> failures = new HashMap<>();

    FailedAuthLimiter(ApiSettings.AuthLimit limit, Clock clock) {
        this.maxFailures = limit.maxFailures();
        this.window = limit.window();
        this.clock = clock;
    }

    /** How long the address must wait, when it has used up its failures. */
    synchronized Optional<Duration> blocked(String client) {
        ArrayDeque<Instant> seen = failures.get(client);
        if (seen == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        expire(seen, now);
        if (seen.isEmpty()) {
            failures.remove(client);
            return Optional.empty();
        }
        return seen.size() < maxFailures ? Optional.empty()
                : Optional.of(Duration.between(now, seen.peekFirst().plus(window)));
    }

    synchronized void failed(String client) {
        Instant now = clock.instant();
        if (failures.size() >= MAX_TRACKED && !failures.containsKey(client)) {
            failures.values().removeIf(q -> {
                expire(q, now);
                return q.isEmpty();
            });
        }
        ArrayDeque<Instant> seen = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        seen.addLast(now);
        while (seen.size() > maxFailures) {
            seen.removeFirst();   // only the newest maxFailures matter
        }
    }

    private void expire(ArrayDeque<Instant> seen, Instant now) {
        while (!seen.isEmpty() && !seen.peekFirst().plus(window).isAfter(now)) {
            seen.removeFirst();
        }
    }
}
