package io.fleetwatch.api;

import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.sql.ReadReplica;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.SystemStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.BasicHttpAttributes;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;

/**
 * Prometheus {@code /metrics} (open, like the health probes; the API listens on 127.0.0.1 unless told otherwise):
 * request timings per route template and status, JVM and process meters, and the fleet in numbers (hosts by status,
 * open alerts by severity, read at scrape time, from the read replica when there is one), that replica's state and
 * lag, and the scan jobs ({@code ScanJobs.stats()}: queued and running now, ended in the last 24 h; from the primary).
 */
@Controller
@ServerFilter("/**")
@Singleton
public final class MetricsEndpoint {
    private static final String STARTED = "fleetwatch.started";
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<String, Long> fleet = new ConcurrentHashMap<>();
    private final Jdbi jdbi;
    private final SystemStore systems;
    private final AlertStore alerts;
    private final ScanJobs scanJobs;
    private final Map<String, Long> scans = new ConcurrentHashMap<>();

    public MetricsEndpoint(Reads reads, Jdbi primary, Clock clock) {
        this.jdbi = reads.jdbi();
        this.systems = new SystemStore(jdbi);
        this.alerts = new AlertStore(jdbi);
        this.scanJobs = ScanJobs.withoutRunner(new ScanStore(primary), new SystemStore(primary), clock);
        for (String s : new String[] {"queued", "running", "succeeded", "failed", "cancelled"}) {
            Gauge.builder("fleetwatch_scan_jobs", scans, f -> f.getOrDefault(s, 0L)).tag("status", s)
                    .description("scan jobs queued and running now; succeeded, failed, cancelled in the last 24 h")
                    .register(registry);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        for (String s : new String[] {"up", "down", "unknown"}) {
            Gauge.builder("fleetwatch_hosts", fleet, f -> f.getOrDefault("status:" + s, 0L)).tag("status", s)
                    .description("systems by status").register(registry);
        }
        for (String s : new String[] {"critical", "warning", "info"}) {
            Gauge.builder("fleetwatch_open_alerts", fleet, f -> f.getOrDefault("severity:" + s, 0L)).tag("severity", s)
                    .description("open alert incidents by severity").register(registry);
        }
        reads.replica().ifPresent(this::replicaMeters);
    }

    /** The replica's last check (read, never run, at scrape time) and where read connections went. */
    private void replicaMeters(ReadReplica r) {
        Gauge.builder("fleetwatch_db_replica_serving", r, x -> x.status().serving() ? 1 : 0)
                .description("1 while reads go to the replica, 0 while they fall back to the primary").register(registry);
        Gauge.builder("fleetwatch_db_replica_lag_seconds", r, x -> x.status().lagSeconds() == null ? Double.NaN
                        : x.status().lagSeconds())
                .description("replay lag behind the primary (NaN when not measured)").register(registry);
        Gauge.builder("fleetwatch_db_replica_lag_bytes", r, x -> x.status().lagBytes() == null ? Double.NaN
                        : x.status().lagBytes())
                .description("WAL bytes the replica has still to replay (NaN when not measured)").register(registry);
        FunctionCounter.builder("fleetwatch_db_read_connections", r, ReadReplica::fromReplica).tag("server", "replica")
                .description("read connections taken, by server").register(registry);
        FunctionCounter.builder("fleetwatch_db_read_connections", r, ReadReplica::fromPrimary).tag("server", "primary")
                .description("read connections taken, by server").register(registry);
    }

    @Get(uri = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
    public String scrape() {
        try {
            jdbi.useHandle(h -> { // one connection for both counts
                SystemStore.StatusCounts hosts = systems.countByStatus();
                AlertStore.SeverityCounts open = alerts.openBySeverity();
                fleet.clear();
                fleet.putAll(Map.of("status:up", hosts.up(), "status:down", hosts.down(), "status:unknown",
                        hosts.unknown(), "severity:critical", open.critical(), "severity:warning", open.warning(),
                        "severity:info", open.info()));
            });
        } catch (RuntimeException e) {
            fleet.clear(); // database down: the fleet gauges read 0, /healthz says why
        }
        try {
            ScanStore.Stats s = scanJobs.stats();
            scans.putAll(Map.of("queued", s.queued(), "running", s.running(), "succeeded", s.succeeded(), "failed",
                    s.failed(), "cancelled", s.cancelled()));
        } catch (RuntimeException e) {
            scans.clear();
        }
        return registry.scrape();
    }

    @RequestFilter
    public void started(HttpRequest<?> request) {
        request.setAttribute(STARTED, System.nanoTime());
    }

    @ResponseFilter
    public void finished(HttpRequest<?> request, MutableHttpResponse<?> response) {
        Long t0 = request.getAttribute(STARTED, Long.class).orElse(null);
        if (t0 == null) {
            return;
        }
        // the route template, never the raw path: ids and hostile paths must not become label values
        String route = BasicHttpAttributes.getUriTemplate(request).orElse(request.getPath().startsWith("/ui/") ? "/ui/**"
                : "unmatched");
        Timer.builder("http_server_requests").tag("method", request.getMethodName()).tag("route", route)
                .tag("status", Integer.toString(response.code())).register(registry)
                .record(System.nanoTime() - t0, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

}
