package io.fleetwatch.api;

import io.fleetwatch.sql.ReadReplica;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Where the read-only endpoints query: the replica while {@link ReadReplica} says it serves, else the primary (the
 * same {@link Jdbi} as writes when no replica is configured). Admin objects (rules, maintenance windows, tokens) are
 * read from the primary, so an edit shows at once.
 */
public record Reads(Jdbi jdbi, Optional<ReadReplica> replica) {
    public Reads {
        java.util.Objects.requireNonNull(jdbi, "jdbi");
        java.util.Objects.requireNonNull(replica, "replica");
    }
}
