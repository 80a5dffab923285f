package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetwatch.sql.ReadReplica;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.MetricStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Health probes: {@code /livez} (process up), {@code /readyz} (can serve: database reachable and migrated),
 * {@code /healthz} (the pipeline: database, broker, alert relay; 503 when any is down, each with its reason; and the
 * read replica when one is configured, reported but never a 503: reads then come from the primary).
 */
@Controller
public final class HealthController {
    /** Unsent alerts older than this mean no relay is running (or none can publish). */
    static final Duration RELAY_STALE = Duration.ofMinutes(2);

    /**
     * /healthz needs no token, so its broker check is shared: at most one AMQP connection per this interval, however
     * often (or however many at once) the endpoint is called.
     */
    static final long BROKER_CHECK_NANOS = Duration.ofSeconds(5).toNanos();

    /** One dependency's state: up, down or unknown, with the reason when not up. */
    public record Check(String status, @Nullable @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {
        static final Check UP = new Check("up", null);
    }

    /** The read replica's last check; {@code reads_from} says where reads go now. */
    public record ReplicaCheck(String status, String readsFrom, @Nullable Double lagSeconds, @Nullable Long lagBytes,
                               long maxLagSeconds, java.time.Instant checkedAt,
                               @Nullable @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {}

    /** The checks of /healthz; {@code replica} only when one is configured. */
    public record Checks(Check database, Check broker, Check relay,
                         @Nullable @JsonInclude(JsonInclude.Include.NON_NULL) ReplicaCheck replica) {}

    /** /healthz: down when any check but the replica's is down. */
    public record Health(String status, String version, Checks checks) {}

    /** /livez. */
    public record Liveness(boolean alive, String version) {}

    /** /readyz: ready, or why not. */
    public record Readiness(boolean ready, @Nullable @JsonInclude(JsonInclude.Include.NON_NULL) String reason) {}

    private final MetricStore metrics;
    private final AlertStore alerts;
    private final Reads reads;
    private final io.fleetwatch.broker.BrokerSettings broker;
    private Check lastBrokerCheck;
    private long lastBrokerCheckAt;

    public HealthController(Jdbi jdbi, Reads reads,
                            io.micronaut.context.BeanProvider<io.fleetwatch.broker.BrokerSettings> broker) {
        this.metrics = new MetricStore(jdbi);
        this.alerts = new AlertStore(jdbi);
        this.reads = reads;
        this.broker = broker.isPresent() ? broker.get() : null;
    }

    @Get("/healthz")
    public HttpResponse<Health> healthz() {
        String db = databaseProblem();
        Check database = db == null ? Check.UP : new Check("down", db);
        Check brokerCheck = sharedBrokerCheck();
        Check relay = db != null ? new Check("unknown", "database unavailable") : relayCheck();
        boolean down = "down".equals(database.status()) || "down".equals(brokerCheck.status())
                || "down".equals(relay.status());
        // after the verdict: a replica down or behind is not an outage, reads fall back to the primary
        ReplicaCheck replica = reads.replica().map(r -> replicaCheck(r.status(), r.settings())).orElse(null);
        Health body = new Health(down ? "down" : "up", Version.get(), new Checks(database, brokerCheck, relay, replica));
        return HttpResponse.<Health>status(down ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).body(body);
    }

    private synchronized Check sharedBrokerCheck() {
        long now = System.nanoTime();
        if (lastBrokerCheck == null || now - lastBrokerCheckAt > BROKER_CHECK_NANOS) {
            lastBrokerCheck = brokerCheck();
            lastBrokerCheckAt = System.nanoTime();
        }
        return lastBrokerCheck;
    }

    private Check brokerCheck() {
        if (broker == null) {
            return new Check("unknown", "no broker configured for the API");
        }
        var cf = broker.connectionFactory();
        cf.setConnectionTimeout(2_000);
        cf.setHandshakeTimeout(2_000);
        cf.setAutomaticRecoveryEnabled(false);
        try (var c = cf.newConnection(broker.addresses(), "fleetwatch-healthz")) {   // up while any node answers
            return Check.UP;
        } catch (Exception e) {
            return new Check("down", "broker " + broker.describe() + " unreachable: "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** What the replica's last check found (every second, in the background: this reads it, never waits on it). */
    static ReplicaCheck replicaCheck(ReadReplica.Status st, io.fleetwatch.sql.ReadReplicaSettings settings) {
        return new ReplicaCheck(st.state().name().toLowerCase(Locale.ROOT), st.serving() ? "replica" : "primary",
                st.lagSeconds(), st.lagBytes(), settings.maxLag().toSeconds(), st.checkedAt(), st.reason());
    }

    private Check relayCheck() {
        try {
            Optional<Duration> waited = alerts.outboxWait();
            if (waited.isPresent() && waited.get().compareTo(RELAY_STALE) > 0) {
                return new Check("down", "an alert has waited " + waited.get().toSeconds() + " s in the outbox; is a"
                        + " relay running (fleetwatch relay) and can it reach the broker?");
            }
            return Check.UP;
        } catch (RuntimeException e) {
            return new Check("unknown", "outbox unreadable");
        }
    }

    @Get("/livez")
    public Liveness livez() {
        return new Liveness(true, Version.get());
    }

    @Get("/readyz")
    public HttpResponse<Readiness> readyz() {
        String problem = databaseProblem();
        if (problem == null) {
            return HttpResponse.ok(new Readiness(true, null));
        }
        return HttpResponse.<Readiness>status(HttpStatus.SERVICE_UNAVAILABLE).body(new Readiness(false, problem));
    }

    private String databaseProblem() {
        try {
            return metrics.storageEngine().isEmpty() ? "database not migrated (run fleetwatch db migrate)" : null;
        } catch (RuntimeException e) {
            return "database unavailable";
        }
    }
}
