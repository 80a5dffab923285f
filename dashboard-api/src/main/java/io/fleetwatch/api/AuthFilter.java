package io.fleetwatch.api;

import io.fleetwatch.api.internal.TokenCheck;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Everything under /api needs a bearer token; reading needs the viewer role or more, anything else (acknowledge,
 * silence, rules, scans) the admin role. Health endpoints stay open for probes.
 */
@ServerFilter("/api/**")
@Singleton
public final class AuthFilter {
    /** The request attribute that holds the {@link TokenCheck.Caller}, for controllers that record who acted. */
    static final String CALLER = "fleetwatch.caller";
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    /** Reads that need the admin role too: the audit log names every admin and what they did. */
    static final Set<String> ADMIN_READS = Set.of("/api/audit", "/api/tokens");

    private final TokenCheck check;
    private final FailedAuthLimiter limiter;
    private final java.util.List<String> trustedProxies;

    private final StreamTickets tickets;

    public AuthFilter(ApiSettings settings, Jdbi jdbi, Clock clock, StreamTickets tickets) {
        this.check = new TokenCheck(settings.tokens(), jdbi, clock);
        this.tickets = tickets;
        this.limiter = new FailedAuthLimiter(settings.authLimit(), clock);
        this.trustedProxies = settings.trustedProxies();
    }

    @RequestFilter
    @Nullable
    public MutableHttpResponse<?> authenticate(HttpRequest<?> request) {
        String client = ClientAddress.of(request, trustedProxies);
        Optional<java.time.Duration> wait = limiter.blocked(client);
        if (wait.isPresent()) {
            // refused before the token is looked at: guessing costs nothing here, not even a database lookup
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            return Problems.of(HttpStatus.TOO_MANY_REQUESTS, "too many failed token checks from " + client
                    + "; try again in " + seconds + " s").header("Retry-After", Long.toString(seconds));
        }
        String authorization = request.getHeaders().get("Authorization");
        // the event stream: EventSource sends no headers, so a one-time ticket got with the token stands for it
        String ticket = authorization == null && LiveController.EVENTS.equals(request.getPath())
                ? request.getParameters().get("ticket") : null;
        Optional<TokenCheck.Caller> caller = ticket != null ? tickets.redeem(ticket) : check.caller(authorization);
        if (caller.isEmpty()) {
            if (authorization != null || ticket != null) {
                limiter.failed(client);   // a token that did not check out; no header at all is no attempt
            }
            return Problems.of(HttpStatus.UNAUTHORIZED, "a valid bearer token is required")
                    .header("WWW-Authenticate", "Bearer realm=\"fleetwatch\"");
        }
        boolean needsAdmin = !READS.contains(request.getMethod()) || ADMIN_READS.contains(request.getPath().replaceAll("/+$", ""));
        if (needsAdmin && caller.get().role() != TokenCheck.Role.ADMIN) {
            return Problems.of(HttpStatus.FORBIDDEN, "this needs a token with the admin role; '" + caller.get().name()
                    + "' is a viewer");
        }
        request.setAttribute(CALLER, caller.get());
        return null; // proceed
    }

    /** A token revoked through the API stops working here at once, not after the lookup cache's 30 s. */
    void forget(String tokenName) {
        check.forget(tokenName);
    }

    static String callerName(HttpRequest<?> request) {
        return request.getAttribute(CALLER, TokenCheck.Caller.class).map(TokenCheck.Caller::name).orElse("unknown");
    }

    static TokenCheck.Caller caller(HttpRequest<?> request) {
        return request.getAttribute(CALLER, TokenCheck.Caller.class)
                .orElseThrow(() -> new IllegalStateException("no caller on an authenticated request"));
    }
}
