package io.fleetwatch.api;

import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.MetricStore;
import io.fleetwatch.store.SystemStore;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet at a glance: every host with its latest sample, how many are up, down or unknown, and the open alerts per
 * severity. One query each; what the dashboard's front page polls.
 */
@Controller("/api/overview")
public final class OverviewController {
    /** Every host with its latest sample and open alerts, down hosts first (public: the API benchmark's baseline). */
    public static final String HOSTS_SQL = MetricStore.OVERVIEW_SQL;

    /** The overview: when it was taken, host counts, open alerts by severity, and the hosts, down ones first. */
    public record Overview(Instant at, long hostsTotal, SystemStore.StatusCounts hostsByStatus,
                           AlertStore.SeverityCounts openAlertsBySeverity, List<SystemStore.Host> hosts) {}

    private final Jdbi jdbi;
    private final MetricStore metrics;
    private final AlertStore alerts;
    private final Clock clock;

    public OverviewController(Reads reads, Clock clock) {
        this.jdbi = reads.jdbi(); // read-only endpoints
        this.metrics = new MetricStore(jdbi);
        this.alerts = new AlertStore(jdbi);
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public Overview overview() {
        return jdbi.withHandle(h -> { // one connection for both reads
            List<SystemStore.Host> hosts = metrics.overview();
            long up = 0;
            long down = 0;
            long unknown = 0;
            for (SystemStore.Host host : hosts) { // counted here: one query fewer
                switch (host.status()) {
                    case "up" -> up++;
                    case "down" -> down++;
                    default -> unknown++;
                }
            }
            return new Overview(clock.instant(), hosts.size(), new SystemStore.StatusCounts(up, down, unknown),
                    alerts.openBySeverity(), hosts);
        });
    }
}
