package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Maintenance;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

@Command(name = "consume", mixinStandardHelpOptions = true,
        header = "Store the three queues in the database; notifications, queue watch and maintenance.",
        description = {
    "Consume the discovery, metrics and alert queues into the database, deliver alert notifications",
    "(FLEETWATCH_WEBHOOK_URL, SMTP_*), run the metrics maintenance job and the queue-backlog watch",
    "(one instance at a time each, by advisory lock).",
    "Env: FLEETWATCH_CONSUMER_BATCH_SIZE (1000), FLEETWATCH_CONSUMER_FLUSH_MS (100),",
    "FLEETWATCH_CONSUMER_WORKERS (1 per queue)."})
final class ConsumeCommand extends EnvAware implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeCommand.class);

    @Override
    public Integer call() throws Exception {
        ConsumerSettings settings = ConsumerSettings.fromEnv(env); // validate before connecting
        NotifySettings.channels(env);
        HikariDataSource ds = Services.database(env, "fleetwatch-consumer");
        List<AutoCloseable> started = new ArrayList<>();
        started.add(ds);
        started.addAll(start(config(), ds, settings, false));
        Services.runUntilShutdown(started);
        return 0;
    }

    /**
     * The consumer workers, the maintenance job, and the reloadable parts (notifier, queue watch, and the scan
     * schedules when {@code scheduler}), which SIGHUP re-reads.
     */
    static List<AutoCloseable> start(Config config, HikariDataSource ds, ConsumerSettings settings, boolean scheduler)
            throws Exception {
        Map<String, String> env = config.env();
        List<AutoCloseable> started = new ArrayList<>();
        Live live = new Live(config, ds, true, scheduler);
        ConsumerService c = new ConsumerService(BrokerSettings.fromEnv(env), Routing.QueueNames.fromEnv(env), ds,
                settings, live.channelNames(), Clock.systemUTC());
        started.add(live.start());
        c.start();
        started.add(c);
        started.add(maintenance(ds));
        return started;
    }

    /** Every 30 s, the queue backlog alerts (FLEETWATCH_QUEUE_WARNING 1000, FLEETWATCH_QUEUE_CRITICAL 10000). */
    static AutoCloseable queueWatch(Map<String, String> env, HikariDataSource ds) {
        Routing.QueueNames q = Routing.QueueNames.fromEnv(env);
        QueueWatch watch = new QueueWatch(ds, BrokerSettings.fromEnv(env), List.of(q.discovery(), q.metrics(), q.alerts()),
                QueueWatch.Thresholds.fromEnv(env), Clock.systemUTC());
        return every(30, TimeUnit.SECONDS, "fleetwatch-queue-watch", () -> {
            try {
                watch.runOnce();
            } catch (Exception e) {
                LOG.warn("queue watch failed, next try in 30 s: {}", e.getMessage());
            }
        });
    }

    private static AutoCloseable every(long period, TimeUnit unit, String name, Runnable job) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(job, 0, period, unit);
        return timer::shutdownNow;
    }

    /** Every minute: partitions ahead, retention, 5-minute rollup (PostgreSQL storage; a no-op on TimescaleDB). */
    static AutoCloseable maintenance(HikariDataSource ds) {
        Maintenance job = new Maintenance(ds, Clock.systemUTC(), 7);
        return every(1, TimeUnit.MINUTES, "fleetwatch-maintenance", () -> {
            try {
                Maintenance.Result r = job.run();
                if (!r.skipped() && (r.created() > 0 || r.dropped() > 0)) {
                    LOG.info("maintenance: {} partition(s) created, {} dropped", r.created(), r.dropped());
                }
            } catch (Exception e) {
                LOG.warn("maintenance failed, next try in a minute: {}", e.getMessage());
            }
        });
    }
}
