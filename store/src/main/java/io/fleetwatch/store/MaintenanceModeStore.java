package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.utc;

import jakarta.annotation.Nullable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * Owner of {@code maintenance_mode}: the one switch for the whole system. While it is on, the consumers take no new
 * messages (they wait in the queues) and the API answers writes with 503.
 */
public final class MaintenanceModeStore {
    /** The switch: on or off, why, since when, and who set it (the token's or the shell user's name). */
    public record Mode(boolean enabled, @Nullable String reason, Instant since, @Nullable String setBy) {
        public Mode {
            Objects.requireNonNull(since, "since");
            if (reason != null && reason.length() > 500) {
                throw new IllegalArgumentException("reason: at most 500 characters");
            }
        }
    }

    /**
     * The switch as the components check it: read from the database at most once per {@code every}; a failed read
     * (database away) keeps the last state known, off before the first.
     */
    public static final class Cached {
        private final MaintenanceModeStore store;
        private final long everyNanos;
        private Mode last;
        private long readAt;
        private boolean fresh;

        public Cached(Jdbi jdbi, java.time.Duration every) {
            this.store = new MaintenanceModeStore(jdbi);
            this.everyNanos = every.toNanos();
        }

        public synchronized boolean enabled() {
            long now = System.nanoTime(); // elapsed time, not the components' (possibly fixed) clock
            if (!fresh || now - readAt >= everyNanos) {
                readAt = now;
                fresh = true;
                try {
                    last = store.current();
                } catch (RuntimeException e) {
                    // keep what we knew; the next read tries again
                }
            }
            return last != null && last.enabled();
        }

        /** Forgets the cached state: after this process changed it, the next check reads it again. */
        public synchronized void invalidate() {
            fresh = false;
        }
    }

    private final Jdbi jdbi;

    public MaintenanceModeStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    public Mode current() {
        return jdbi.withHandle(h -> h.createQuery("SELECT enabled, reason, since, set_by FROM maintenance_mode")
                .map((rs, ctx) -> mode(rs)).one());
    }

    /** Turns it on or off at {@code at}; switching to the state it is in keeps its time and updates reason and who. */
    public Mode set(boolean enabled, @Nullable String reason, @Nullable String by, Instant at) {
        Mode wanted = new Mode(enabled, reason, at, by); // validates
        return jdbi.withHandle(h -> h.createQuery("UPDATE maintenance_mode SET since = CASE WHEN enabled = :on"
                        + " THEN since ELSE :at END, enabled = :on, reason = :reason, set_by = :by"
                        + " RETURNING enabled, reason, since, set_by")
                .bind("on", wanted.enabled()).bind("reason", wanted.reason()).bind("by", wanted.setBy())
                .bind("at", utc(at))
                .map((rs, ctx) -> mode(rs)).one());
    }

    private static Mode mode(ResultSet rs) throws SQLException {
        return new Mode(rs.getBoolean("enabled"), rs.getString("reason"), instant(rs, "since"), rs.getString("set_by"));
    }
}
