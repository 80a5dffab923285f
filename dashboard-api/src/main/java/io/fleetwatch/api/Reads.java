package io.fleetwatch.api;

import io.fleetwatch.sql.ReadReplica;
import io.fleetwatch.store.Stores;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.HandleCallbackDecorator;
import org.jdbi.v3.core.Jdbi;

/**
 * Where the read-only endpoints query: the replica while {@link ReadReplica} says it serves, else the primary (the
 * same {@link Jdbi} as writes when no replica is configured). Admin objects (rules, maintenance windows, tokens) and
 * scan jobs are read from the primary, so an edit or a request shows at once.
 */
public record Reads(Jdbi jdbi, Optional<ReadReplica> replica) {
    public Reads {
        Objects.requireNonNull(jdbi, "jdbi");
        Objects.requireNonNull(replica, "replica");
    }

    /** Fleetwatch's Jdbi over a pool. */
    static Jdbi jdbi(DataSource dataSource) {
        return Stores.jdbi(dataSource);
    }

    /** Reads through {@code replica} (may be null: reads use {@code primary}). */
    static Reads of(Jdbi primary, ReadReplica replica) {
        if (replica == null) {
            return new Reads(primary, Optional.empty());
        }
        Jdbi reads = jdbi(replica.reads());
        // A read whose connection is cut under it (the replica stopping) is asked again of the primary: a read may be
        // repeated, and the caller gets its answer instead of a 500 in the second before the check notices.
        reads.setHandleCallbackDecorator(new HandleCallbackDecorator() {
            @Override
            public <R, X extends Exception> HandleCallback<R, X> decorate(HandleCallback<R, X> callback) {
                return h -> {
                    try {
                        return callback.withHandle(h);
                    } catch (RuntimeException e) {
                        if (!connectionLost(e)) {
                            throw e;
                        }
                        return primary.withHandle(callback);
                    }
                };
            }
        });
        return new Reads(reads, Optional.of(replica));
    }

    /** SQLSTATE class 08 (connection exception) or 57P01-03 (the server shutting down or not yet up). */
    static boolean connectionLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s && s.getSQLState() != null
                    && (s.getSQLState().startsWith("08") || s.getSQLState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }
}
