package io.fleetwatch.store;

import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * Every table owner over one pool, sharing one {@link Stores#jdbi}: for callers that hold a data source and need not
 * know Jdbi (the CLI's commands).
 */
public record Owners(SystemStore systems, MetricStore metrics, AlertStore alerts, TokenStore tokens, ScanStore scans) {
    public Owners {
        Objects.requireNonNull(systems, "systems");
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(alerts, "alerts");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(scans, "scans");
    }

    public static Owners of(DataSource dataSource) {
        Jdbi jdbi = Stores.jdbi(dataSource);
        return new Owners(new SystemStore(jdbi), new MetricStore(jdbi), new AlertStore(jdbi), new TokenStore(jdbi),
                new ScanStore(jdbi));
    }
}
