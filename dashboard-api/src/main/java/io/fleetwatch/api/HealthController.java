package io.fleetwatch.api;

import io.fleetwatch.sql.ReadReplica;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Health probes: {@code /livez} (process up), {@code /readyz} (can serve: database reachable and migrated),
 * {@code /healthz} (the pipeline: database, broker, alert relay; 503 when any is down, each with its reason; and the
 * read replica when one is configured, reported but never a 503: reads then come from the primary).
 */
@Controller
public final class HealthController {
    /** Unsent alerts older than this mean no relay is running (or none can publish). */
    static final java.time.Duration RELAY_STALE = java.time.Duration.ofMinutes(2);

    /**
     * /healthz needs no token, so its broker check is shared: at most one AMQP connection per this interval, however
     * often (or however many at once) the endpoint is called.
     */
    static final long BROKER_CHECK_NANOS = java.time.Duration.ofSeconds(5).toNanos();

    private final Jdbi jdbi;
    private final Reads reads;
    private final io.fleetwatch.broker.BrokerSettings broker;
    private Map<String, Object> lastBrokerCheck;
    private long lastBrokerCheckAt;

    public HealthController(Jdbi jdbi, Reads reads,
                            io.micronaut.context.BeanProvider<io.fleetwatch.broker.BrokerSettings> broker) {
        this.jdbi = jdbi;
        this.reads = reads;
        this.broker = broker.isPresent() ? broker.get() : null;
    }

    @Get("/healthz")
    public HttpResponse<Map<String, Object>> healthz() {
        Map<String, Object> checks = new LinkedHashMap<>();
        String db = databaseProblem();
        checks.put("database", db == null ? Map.of("status", "up") : Map.of("status", "down", "reason", db));
        checks.put("broker", sharedBrokerCheck());
        checks.put("relay", db != null ? Map.of("status", "unknown", "reason", "database unavailable") : relayCheck());
        boolean down = checks.values().stream().anyMatch(c -> "down".equals(((Map<?, ?>) c).get("status")));
        // after the verdict: a replica down or behind is not an outage, reads fall back to the primary
        reads.replica().ifPresent(r -> checks.put("replica", replicaCheck(r.status(), r.settings())));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", down ? "down" : "up");
        body.put("version", Version.get());
        body.put("checks", checks);
        return HttpResponse.<Map<String, Object>>status(down ? io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE
                : io.micronaut.http.HttpStatus.OK).body(body);
    }

    private synchronized Map<String, Object> sharedBrokerCheck() {
        long now = System.nanoTime();
        if (lastBrokerCheck == null || now - lastBrokerCheckAt > BROKER_CHECK_NANOS) {
            lastBrokerCheck = brokerCheck();
            lastBrokerCheckAt = System.nanoTime();
        }
        return lastBrokerCheck;
    }

    private Map<String, Object> brokerCheck() {
        if (broker == null) {
            return Map.of("status", "unknown", "reason", "no broker configured for the API");
        }
        var cf = broker.connectionFactory();
        cf.setConnectionTimeout(2_000);
        cf.setHandshakeTimeout(2_000);
        cf.setAutomaticRecoveryEnabled(false);
        try (var c = cf.newConnection(broker.addresses(), "fleetwatch-healthz")) {   // up while any node answers
            return Map.of("status", "up");
        } catch (Exception e) {
            return Map.of("status", "down", "reason", "broker " + broker.describe() + " unreachable: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** What the replica's last check found (every second, in the background: this reads it, never waits on it). */
    static Map<String, Object> replicaCheck(ReadReplica.Status st, io.fleetwatch.sql.ReadReplicaSettings settings) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", st.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("reads_from", st.serving() ? "replica" : "primary");
        m.put("lag_seconds", st.lagSeconds());
        m.put("lag_bytes", st.lagBytes());
        m.put("max_lag_seconds", settings.maxLag().toSeconds());
        m.put("checked_at", st.checkedAt().toString());
        if (st.reason() != null) {
            m.put("reason", st.reason());
        }
        return m;
    }

    private Map<String, Object> relayCheck() {
        try {
            Long oldest = jdbi.withHandle(h -> h.createQuery("SELECT CAST(extract(epoch FROM now() - min(created_at))"
                    + " AS bigint) FROM alert_outbox WHERE sent_at IS NULL").mapTo(Long.class).findOne().orElse(null));
            if (oldest != null && oldest > RELAY_STALE.toSeconds()) {
                return Map.of("status", "down", "reason", "an alert has waited " + oldest + " s in the outbox; is a"
                        + " relay running (fleetwatch relay) and can it reach the broker?");
            }
            return Map.of("status", "up");
        } catch (RuntimeException e) {
            return Map.of("status", "unknown", "reason", "outbox unreadable");
        }
    }

    @Get("/livez")
    public Map<String, Object> livez() {
        return Map.of("alive", true, "version", Version.get());
    }

    @Get("/readyz")
    public HttpResponse<Map<String, Object>> readyz() {
        String problem = databaseProblem();
        if (problem == null) {
            return HttpResponse.ok(Map.of("ready", true));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", false);
        body.put("reason", problem);
        return HttpResponse.<Map<String, Object>>status(io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private String databaseProblem() {
        try {
            String storage = jdbi.withHandle(h -> h.createQuery(
                    "SELECT value FROM fleetwatch_meta WHERE key = 'metrics_storage'").mapTo(String.class).findOne()
                    .orElse(null));
            return storage == null ? "database not migrated (run fleetwatch db migrate)" : null;
        } catch (RuntimeException e) {
            return "database unavailable";
        }
    }
}
