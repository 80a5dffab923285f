package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;

import jakarta.annotation.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/** Owner of {@code audit_log}: the API's admin writes, who made them and how they were answered. */
public final class AuditStore {
    /** One admin write as it is recorded; {@code at} is the database's clock. */
    public record Write(String actor, String method, String path, @Nullable String targetId, @Nullable String summary,
                        @Nullable String client, int status) {
        public Write {
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(path, "path");
            if (status < 100 || status > 599) {
                throw new IllegalArgumentException("status " + status + " is no HTTP status");
            }
        }
    }

    /** A recorded write. */
    public record Entry(long id, Instant at, String actor, String method, String path, @Nullable String targetId,
                        @Nullable String summary, @Nullable String client, int status) {}

    private final Jdbi jdbi;

    public AuditStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    public void record(Write w) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO audit_log (actor, method, path, target_id, summary, client,"
                        + " status) VALUES (:actor, :method, :path, :target, :summary, :client, :status)")
                .bind("actor", w.actor()).bind("method", w.method()).bind("path", w.path())
                .bind("target", w.targetId()).bind("summary", w.summary()).bind("client", w.client())
                .bind("status", w.status()).execute());
    }

    /** The newest {@code limit} entries at or after {@code since} (null: any time), newest first. */
    public List<Entry> recent(@Nullable Instant since, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, at, actor, method, path, target_id, summary, client, status"
                        + " FROM audit_log WHERE (CAST(:since AS timestamptz) IS NULL OR at >= :since)"
                        + " ORDER BY at DESC, id DESC LIMIT :limit")
                .bind("since", Stores.utc(since)).bind("limit", limit)
                .map((rs, ctx) -> new Entry(rs.getLong("id"), instant(rs, "at"), rs.getString("actor"),
                        rs.getString("method"), rs.getString("path"), rs.getString("target_id"),
                        rs.getString("summary"), rs.getString("client"), rs.getInt("status")))
                .list());
    }
}
