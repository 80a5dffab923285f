package io.fleetwatch.api;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * The fleet at a glance: every host with its latest sample, how many are up, down or unknown, and the open alerts per
 * severity. One query each; what the dashboard's front page polls.
 */
@Controller("/api/overview")
public final class OverviewController {
    /** Every host with its latest sample and open alerts, down hosts first (public: the API benchmark's baseline). */
    public static final String HOSTS_SQL = Rows.SYSTEM_WITH_LATEST
            + " ORDER BY s.status = 'down' DESC, s.hostname NULLS LAST, s.id";

    private final Jdbi jdbi;
    private final Clock clock;

    public OverviewController(Reads reads, Clock clock) {
        this.jdbi = reads.jdbi(); // read-only endpoints
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public Map<String, Object> overview() {
        return jdbi.withHandle(h -> {
            List<Map<String, Object>> hosts = h.createQuery(HOSTS_SQL)
                    .map((rs, ctx) -> Rows.system(rs)).list();
            Map<String, Object> status = new LinkedHashMap<>(Map.of("up", 0L, "down", 0L, "unknown", 0L));
            for (Map<String, Object> host : hosts) { // counted here: one query fewer
                status.merge((String) host.get("status"), 1L, (a, b) -> (Long) a + (Long) b);
            }
            Map<String, Object> alerts = new LinkedHashMap<>(Map.of("critical", 0L, "warning", 0L, "info", 0L));
            h.createQuery("SELECT severity, count(*) FROM alerts WHERE resolved_at IS NULL GROUP BY severity")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> alerts.put(e.getKey(), e.getValue()));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("at", clock.instant().toString());
            body.put("hosts_total", (long) hosts.size());
            body.put("hosts_by_status", status);
            body.put("open_alerts_by_severity", alerts);
            body.put("hosts", hosts);
            return body;
        });
    }
}
