package io.fleetwatch.cli;

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
     * The consumer workers, the metrics maintenance job, and the reloadable parts: notifier, queue watch, and the scan
     * schedules when {@code scheduler}.
     */
    static List<AutoCloseable> consumer(Config config, HikariDataSource ds, ConsumerSettings settings, boolean scheduler)
            throws Exception {
        Notifications notifications = new Notifications(ds);
        List<Reloadable> parts = new ArrayList<>(List.of(logLevel(), notifications, new QueueWatchComponent(ds)));
        if (scheduler) {
            parts.add(schedules(config.env(), ds));
        }
        HotReload reload = hotReload(config, parts);
        return List.of(reload, ConsumerComponent.start(config.env(), ds, settings, notifications.channelNames()),
                MaintenanceJob.start(ds));
    }

    /** The scan schedules without a consumer in this process (reloadable too). */
    static AutoCloseable schedulesOnly(Config config, HikariDataSource ds) throws Exception {
        return hotReload(config, List.of(logLevel(), schedules(config.env(), ds)));
    }

    private static Reloadable logLevel() {
        return Reloadable.of(LOG_KEYS, Config::checkLogLevel, env -> "log level " + Config.applyLogLevel(env), () -> { });
    }

    private static Reloadable schedules(Map<String, String> env, HikariDataSource ds) {
        // the schedules and the queued jobs (POST /api/scans, scan submit), polled every 5 s; a reload rebuilds both
        ScanSchedules s = new ScanSchedules(e -> Services.scanJobs(e, ds), Duration.ofSeconds(5));
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
