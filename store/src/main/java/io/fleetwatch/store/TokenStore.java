package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;

import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Owner of {@code api_tokens}: API tokens, kept as SHA-256 digests only (the token itself is shown once, when made).
 */
public final class TokenStore {
    public static final Set<String> ROLES = Set.of("viewer", "admin");

    /** Whom a token names, and its role (viewer or admin). */
    public record Holder(String name, String role) {
        public Holder {
            Objects.requireNonNull(name, "name");
            if (!ROLES.contains(role)) {
                throw new IllegalArgumentException("role must be viewer or admin, not '" + role + "'");
            }
        }
    }

    /** A token as listed: never its digest. */
    public record Token(String name, String role, Instant createdAt, @Nullable Instant lastUsedAt,
                        @Nullable Instant revokedAt) {}

    private static final String COLUMNS = "name, role, created_at, last_used_at, revoked_at";

    private final Jdbi jdbi;

    public TokenStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** The holder of the unrevoked token with this digest, marking it used now; empty when there is none. */
    public Optional<Holder> use(byte[] sha256) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE api_tokens SET last_used_at = now()"
                        + " WHERE token_sha256 = :d AND revoked_at IS NULL RETURNING name, role")
                .bind("d", sha256)
                .map((rs, ctx) -> new Holder(rs.getString("name"), rs.getString("role")))
                .findOne());
    }

    /** Whether any unrevoked token exists. */
    public boolean anyActive() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL")
                .mapTo(Long.class).one() > 0);
    }

    /** Stores a new token's digest, answering the token as listed; a name that exists violates a unique key (23505). */
    public Token create(Holder holder, byte[] sha256) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO api_tokens (name, role, token_sha256) VALUES (:n, :r, :d)"
                        + " RETURNING " + COLUMNS)
                .bind("n", holder.name()).bind("r", holder.role()).bind("d", sha256)
                .map((rs, ctx) -> token(rs)).one());
    }

    /** All tokens by name, revoked ones included. */
    public List<Token> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM api_tokens ORDER BY name")
                .map((rs, ctx) -> token(rs))
                .list());
    }

    private static Token token(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Token(rs.getString("name"), rs.getString("role"), instant(rs, "created_at"),
                instant(rs, "last_used_at"), instant(rs, "revoked_at"));
    }

    /** Revokes the active token of that name; false when there is none. */
    public boolean revoke(String name) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE api_tokens SET revoked_at = now()"
                + " WHERE name = :n AND revoked_at IS NULL").bind("n", name).execute()) > 0;
    }
}
