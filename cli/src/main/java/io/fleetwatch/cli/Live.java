package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.notify.Channel;
import io.fleetwatch.consumer.notify.Notifier;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.lifecycle.Signals;
import io.fleetwatch.scanner.ScanSchedule;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts of a long-running process that SIGHUP can change without a restart (hot reload): the log
 * level, notification channels and retries, queue-backlog thresholds and scan schedules. A reload reads the same
 * file and environment again, validates everything first (a bad file changes nothing and is logged), restarts only
 * the parts whose settings changed, and logs which keys changed and which of them need a restart to take effect.
 * Secret values are never logged, only key names.
 */
final class Live implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Live.class);
    static final Predicate<String> LOG_KEYS = k -> k.equals(Config.ENV_LOG_LEVEL);
    static final Predicate<String> NOTIFY_KEYS = k -> k.startsWith("SMTP_") || k.startsWith("FLEETWATCH_WEBHOOK_")
            || k.startsWith("FLEETWATCH_NOTIFY_");
    static final Predicate<String> WATCH_KEYS = k -> k.equals("FLEETWATCH_QUEUE_WARNING") || k.equals("FLEETWATCH_QUEUE_CRITICAL");
    static final Predicate<String> SCHEDULE_KEYS = k -> k.startsWith("FLEETWATCH_SCAN_");

    private final HikariDataSource ds;
    private final boolean consumer;
    private final boolean scheduler;
    private final AtomicReference<List<String>> channelNames = new AtomicReference<>(List.of());
    private Config config;
    private AutoCloseable notifier;
    private AutoCloseable queueWatch;
    private AutoCloseable schedules;

    /** {@code consumer}: runs the notifier and queue watch; {@code scheduler}: runs the scan schedules. */
    Live(Config config, HikariDataSource ds, boolean consumer, boolean scheduler) {
        this.config = config;
        this.ds = ds;
        this.consumer = consumer;
        this.scheduler = scheduler;
    }

    /** The alert channels the consumer queues notifications for, as of the latest reload. */
    Supplier<List<String>> channelNames() {
        return channelNames::get;
    }

    synchronized Live start() throws Exception {
        Map<String, String> env = config.env();
        if (consumer) {
            startNotifier(NotifySettings.channels(env), env);
            queueWatch = ConsumeCommand.queueWatch(env, ds);
        }
        if (scheduler) {
            startSchedules(ScheduledScans.fromEnv(env), env);
        }
        Signals.onHangup(() -> reload());
        return this;
    }

    /** Re-reads the configuration; returns the line it logged. */
    synchronized String reload() {
        Config next;
        List<Channel> channels;
        List<ScanSchedule> plans;
        try {
            next = config.reload();
            channels = NotifySettings.channels(next.env());
            NotifySettings.retries(next.env());
            QueueWatch.Thresholds.fromEnv(next.env());
            plans = ScheduledScans.fromEnv(next.env());
            Config.applyLogLevel(next.env());
        } catch (RuntimeException e) {
            String line = "SIGHUP: configuration refused, still running with the previous one: " + e.getMessage();
            LOG.error(line);
            return line;
        }
        Map<String, String> before = config.env();
        Map<String, String> after = next.env();
        TreeSet<String> changed = new TreeSet<>();
        for (String k : union(before, after)) {
            if (!Objects.equals(before.get(k), after.get(k))) {
                changed.add(k);
            }
        }
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        try {
            if (changed.stream().anyMatch(LOG_KEYS)) {
                applied.add("log level " + Config.applyLogLevel(after));
            }
            if (consumer && changed.stream().anyMatch(NOTIFY_KEYS)) {
                close(notifier);
                startNotifier(channels, after);
                applied.add("notifications " + channelNames.get());
            }
            if (consumer && changed.stream().anyMatch(WATCH_KEYS)) {
                close(queueWatch);
                queueWatch = ConsumeCommand.queueWatch(after, ds);
                QueueWatch.Thresholds t = QueueWatch.Thresholds.fromEnv(after);
                applied.add("queue thresholds warning " + t.warning() + " critical " + t.critical());
            }
            if (scheduler && changed.stream().anyMatch(SCHEDULE_KEYS)) {
                close(schedules);
                startSchedules(plans, after);
                applied.add(plans.size() + " scan schedule(s)");
            }
        } catch (Exception e) {
            LOG.error("SIGHUP: applying the new settings failed: {}", Errors.describe(e));
        }
        for (String k : changed) {
            if (!(LOG_KEYS.test(k) || NOTIFY_KEYS.test(k) || WATCH_KEYS.test(k) || SCHEDULE_KEYS.test(k))) {
                restart.add(k);
            }
        }
        config = next;
        String line = "SIGHUP: reloaded " + config.describe() + ": "
                + (changed.isEmpty() ? "nothing changed" : "changed " + changed)
                + (applied.isEmpty() ? "" : "; applied: " + String.join(", ", applied))
                + (restart.isEmpty() ? "" : "; need a restart to take effect: " + restart);
        LOG.info(line);
        return line;
    }

    private void startNotifier(List<Channel> channels, Map<String, String> env) {
        channelNames.set(channels.stream().map(Channel::name).toList());
        if (channels.isEmpty()) {
            notifier = null;
            return;
        }
        Notifier n = new Notifier(ConsumerService.jdbi(ds), channels, NotifySettings.retries(env), Clock.systemUTC());
        n.start();
        notifier = n;
        LOG.info("notifications via {}", channelNames.get());
    }

    private void startSchedules(List<ScanSchedule> plans, Map<String, String> env) {
        schedules = plans.isEmpty() ? null : ScheduledScans.start(env, ds, plans);
    }

    private static TreeSet<String> union(Map<String, String> a, Map<String, String> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }

    private static void close(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("stopping {}: {}", c, Errors.describe(e));
        }
    }

    @Override
    public synchronized void close() {
        close(schedules);
        close(queueWatch);
        close(notifier);
    }
}
