package io.fleetwatch.cli;

import io.fleetwatch.lifecycle.MetricsServer;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.runtime.ConsumerComponent;
import io.fleetwatch.consumer.runtime.HotReload;
import io.fleetwatch.consumer.runtime.Notifications;
import io.fleetwatch.consumer.runtime.QueueWatchComponent;
import io.fleetwatch.consumer.runtime.Reloadable;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.jobs.ScanSchedules;
import io.fleetwatch.lifecycle.Signals;
import io.fleetwatch.sql.MaintenanceJob;
import io.fleetwatch.sql.Retention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * How the long-running commands ({@code consume}, {@code serve}, {@code demo}) put the components together: wiring
 * only, the components live in their modules. SIGHUP reloads the log level, notifications, queue thresholds and scan
 * schedules ({@link HotReload}).
 */
final class Components {
    private Components() {}

    static final String ENV_COMPONENTS = Keys.SERVE_COMPONENTS.env();
    static final List<String> ALL = List.of("consumer", "relay", "api", "scheduler", "agent");

    private static final Predicate<String> LOG_KEYS = k -> k.equals(Config.ENV_LOG_LEVEL);
    /** The keys a reload applies; a change of any other is logged as needing a restart. */
    private static final Predicate<String> RELOADABLE = LOG_KEYS.or(Notifications.KEYS).or(QueueWatchComponent.KEYS)
            .or(ScanJobs.SCHEDULE_KEYS);

    /** The components this host runs ({@code serve.components}), in start order. */
    static Set<String> serve(Map<String, String> env) {
        List<String> named = Settings.fromEnv(env).find(Keys.SERVE_COMPONENTS).orElse(List.of());
        if (named.isEmpty()) {
            return new LinkedHashSet<>(ALL);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String c : named) {
            if (!ALL.contains(c)) {
                throw new IllegalArgumentException(ENV_COMPONENTS + ": '" + c + "' is not a component (" + String.join(", ", ALL) + ")");
            }
            out.add(c);
        }
        if (out.isEmpty()) {
            throw Keys.SERVE_COMPONENTS.invalid("no component to run");
        }
        return out;
    }

    /**
     * The consumer workers (counting into {@code metrics}), the metrics maintenance job with the retention settings,
     * and the reloadable parts: notifier, queue watch, and the scan schedules and queued jobs when {@code scans} (the
     * scheduler's counts) is not null.
     */
    static List<AutoCloseable> consumer(Config config, HikariDataSource ds, ConsumerSettings settings,
                                        ScanJobs.Counts scans, OpsMetrics metrics) throws Exception {
        Notifications notifications = new Notifications(ds);
        List<Reloadable> parts = new ArrayList<>(List.of(logLevel(), notifications, new QueueWatchComponent(ds)));
        if (scans != null) {
            parts.add(schedules(ds, scans));
        }
        HotReload reload = hotReload(config, parts);
        return List.of(reload, ConsumerComponent.start(config.env(), ds, settings, notifications.channelNames(), metrics),
                MaintenanceJob.start(ds, Retention.fromEnv(config.env())));
    }

    /** The scan schedules without a consumer in this process (reloadable too). */
    static AutoCloseable schedulesOnly(Config config, HikariDataSource ds, ScanJobs.Counts scans) throws Exception {
        return hotReload(config, List.of(logLevel(), schedules(ds, scans)));
    }

    /** A component's {@code /metrics} and the keys of its address. */
    enum Exposed {
        CONSUMER(Keys.CONSUMER_METRICS_PORT, Keys.CONSUMER_METRICS_BIND),
        RELAY(Keys.RELAY_METRICS_PORT, Keys.RELAY_METRICS_BIND),
        SCHEDULER(Keys.SCHEDULER_METRICS_PORT, Keys.SCHEDULER_METRICS_BIND),
        COLLECTOR(Keys.COLLECTOR_METRICS_PORT, Keys.COLLECTOR_METRICS_BIND),
        AGENT(Keys.AGENT_METRICS_PORT, Keys.AGENT_METRICS_BIND);

        final Key<Integer> port;
        final Key<String> bind;

        Exposed(Key<Integer> port, Key<String> bind) {
            this.port = port;
            this.bind = bind;
        }

        /** The port (0: off), checked; for {@code --validate-only} too. */
        int port(Map<String, String> env) {
            Integer set = Settings.fromEnv(env).get(port); // the table's default when unset (the agent's: none)
            int p = set == null ? 0 : set;
            if (p < 0 || p > 65535) {
                throw port.invalid("must be a TCP port (1-65535), or 0 for off, not " + p);
            }
            if (p > 0 && Settings.fromEnv(env).get(bind).isBlank()) {
                throw bind.invalid("is empty");
            }
            return p;
        }

        /**
         * The component's registry, and its {@code /metrics} server added to {@code started} when its port is set.
         * Started before the component, so that a port already taken stops the command before it does anything.
         * Each component has its own port, in {@code serve} too: the packaged scrape config fits either way.
         */
        OpsMetrics serve(Map<String, String> env, List<AutoCloseable> started) {
            OpsMetrics metrics = new OpsMetrics();
            int p = port(env);
            if (p == 0) {
                return metrics;
            }
            String at = Settings.fromEnv(env).get(bind);
            try {
                started.add(MetricsServer.start(name().toLowerCase(java.util.Locale.ROOT), metrics, at, p));
            } catch (java.net.BindException e) {
                throw port.invalid(at + ":" + p + " is in use or not an address of this host (" + e.getMessage() + ")");
            } catch (java.io.IOException | RuntimeException e) {
                throw bind.invalid("cannot listen on " + at + ":" + p + ": " + e.getMessage());
            }
            return metrics;
        }
    }

    /** With HTTPS, SIGHUP reads the API's certificate files again (beside any configuration reload). */
    static void reloadCertificateOnHangup(io.fleetwatch.api.ApiSettings settings, io.fleetwatch.api.ApiServer api) {
        if (settings.tls().isPresent()) {
            Signals.onHangup(api::reloadCertificate);
        }
    }

    private static Reloadable logLevel() {
        return Reloadable.of(LOG_KEYS, Config::checkLogLevel, env -> "log level " + Config.applyLogLevel(env), () -> { });
    }

    private static Reloadable schedules(HikariDataSource ds, ScanJobs.Counts scans) {
        // the schedules and the queued jobs (POST /api/scans, scan submit), polled every 5 s; a reload rebuilds both,
        // counting on into the same counts
        ScanSchedules s = new ScanSchedules(e -> Services.scanJobs(e, ds).countingInto(scans), Duration.ofSeconds(5));
        return Reloadable.of(ScanJobs.SCHEDULE_KEYS, e -> {
            ScanJobs.schedules(e);
            io.fleetwatch.jobs.ScanJobSettings.fromEnv(e);
        }, s::restart, s::close);
    }

    private static HotReload hotReload(Config config, List<Reloadable> parts) throws Exception {
        HotReload reload = new HotReload(snapshot(config), () -> snapshot(config.reload()), parts, RELOADABLE).start();
        Signals.onHangup(reload::reload);
        return reload;
    }

    private static HotReload.Snapshot snapshot(Config c) {
        return new HotReload.Snapshot(c.env(), c.describe());
    }
}
