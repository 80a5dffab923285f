package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fleetwatch.sql.ReadReplica;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.time.Duration;
import java.util.Locale;

/**
 * Health probes: {@code /livez} (process up), {@code /readyz} (can serve: database reachable and migrated),
 * {@code /healthz} (the pipeline: database, broker, alert relay; 503 when any is down, each with its reason; and the
 * read replica when one is configured, reported but never a 503: reads then come from the primary).
 */
@Controller
public final class HealthController {
    /** Unsent alerts older than this mean no relay is running (or none can publish). */
    static final Duration RELAY_STALE = Duration.ofMinutes(2);

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

    private final HealthChecks checks;
    private final Reads reads;
    private final boolean brokerConfigured;

    public HealthController(HealthChecks checks, Reads reads,
                            io.micronaut.context.BeanProvider<io.fleetwatch.broker.BrokerSettings> broker) {
        this.checks = checks;
        this.reads = reads;
        this.brokerConfigured = broker.isPresent();
    }

    /** Never waits on a dependency: the checks run in the background ({@link HealthChecks}). */
    @Get("/healthz")
    public HttpResponse<Health> healthz() {
        HealthChecks.Database db = checks.database();
        Check brokerCheck = checks.broker(brokerConfigured);
        boolean down = "down".equals(db.database().status()) || "down".equals(brokerCheck.status())
                || "down".equals(db.relay().status());
        // after the verdict: a replica down or behind is not an outage, reads fall back to the primary
        ReplicaCheck replica = reads.replica().map(r -> replicaCheck(r.status(), r.settings())).orElse(null);
        Health body = new Health(down ? "down" : "up", Version.get(),
                new Checks(db.database(), brokerCheck, db.relay(), replica));
        return HttpResponse.<Health>status(down ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK).body(body);
    }

    /** What the replica's last check found (every second, in the background: this reads it, never waits on it). */
    static ReplicaCheck replicaCheck(ReadReplica.Status st, io.fleetwatch.sql.ReadReplicaSettings settings) {
        return new ReplicaCheck(st.state().name().toLowerCase(Locale.ROOT), st.serving() ? "replica" : "primary",
                st.lagSeconds(), st.lagBytes(), settings.maxLag().toSeconds(), st.checkedAt(), st.reason());
    }

    @Get("/livez")
    public Liveness livez() {
        return new Liveness(true, Version.get());
    }

    @Get("/readyz")
    public HttpResponse<Readiness> readyz() {
        Check database = checks.database().database();
        if (Check.UP.equals(database)) {
            return HttpResponse.ok(new Readiness(true, null));
        }
        return HttpResponse.<Readiness>status(HttpStatus.SERVICE_UNAVAILABLE)
                .body(new Readiness(false, database.reason()));
    }
}
