package io.fleetwatch.api.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import io.fleetwatch.store.TokenStore;
import org.jdbi.v3.core.Jdbi;

/**
 * Who a bearer token is: the tokens from the environment are admins (the bootstrap tokens); the others are looked up
 * by SHA-256 digest in {@code api_tokens} (made by {@code fleetwatch admin create-token}). The environment tokens are
 * compared in constant time; database lookups are by digest, so no comparison of secrets happens there, and a hit is
 * cached for {@link #CACHE} (a revocation takes effect within that time).
 */
public final class TokenCheck {
    public enum Role { VIEWER, ADMIN }

    public record Caller(String name, Role role) {}

    static final Duration CACHE = Duration.ofSeconds(30);

    private final List<byte[]> envDigests;
    private final TokenStore tokens;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(Caller caller, Instant until) {}

    public TokenCheck(List<String> envTokens, Jdbi jdbi, Clock clock) {
        this.envDigests = envTokens.stream().map(TokenCheck::sha256).toList();
        this.tokens = jdbi == null ? null : new TokenStore(jdbi);
        this.clock = clock;
    }

    public Optional<Caller> caller(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.empty();
        }
        String token = authorizationHeader.substring(7).strip();
        if (token.isEmpty() || token.length() > 256) {
            return Optional.empty();
        }
        byte[] given = sha256(token);
        boolean env = false;
        for (byte[] d : envDigests) {
            env |= MessageDigest.isEqual(d, given);
        }
        if (env) {
            return Optional.of(new Caller("env", Role.ADMIN));
        }
        if (tokens == null) {
            return Optional.empty();
        }
        String key = HexFormat.of().formatHex(given);
        Instant now = clock.instant();
        Cached c = cache.get(key);
        if (c != null && now.isBefore(c.until())) {
            return Optional.of(c.caller());
        }
        Optional<Caller> found = tokens.use(given)
                .map(t -> new Caller(t.name(), Role.valueOf(t.role().toUpperCase(java.util.Locale.ROOT))));
        found.ifPresentOrElse(f -> cache.put(key, new Cached(f, now.plus(CACHE))), () -> cache.remove(key));
        return found;
    }

    /** Drops the cached lookups of {@code name}'s token, so a revocation through the API holds at once here. */
    public void forget(String name) {
        cache.values().removeIf(c -> c.caller().name().equals(name));
    }

    /** Whether the database holds any usable token (the API refuses to start with none at all). */
    public static boolean anyInDatabase(Jdbi jdbi) {
        return new TokenStore(jdbi).anyActive();
    }

    /** A new token: 32 random bytes, URL-safe, with a prefix that secret scanners can recognise. */
    public static String newToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "fwt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
