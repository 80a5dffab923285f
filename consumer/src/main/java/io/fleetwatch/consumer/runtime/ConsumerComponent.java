package io.fleetwatch.consumer.runtime;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Maintenance;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer as one component: the queue workers and the metrics maintenance job (every minute: partitions ahead,
 * retention, 5-minute rollup on PostgreSQL storage; a no-op on TimescaleDB). Its notifier and queue watch are the
 * reloadable parts {@link Notifications} and {@link QueueWatchComponent}.
 */
public final class ConsumerComponent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerComponent.class);

    private final ConsumerService service;
    private final AutoCloseable maintenance;

    private ConsumerComponent(ConsumerService service, AutoCloseable maintenance) {
        this.service = service;
        this.maintenance = maintenance;
    }

    /** The settings the consumer, its notifier and its queue watch start with (for {@code --validate-only}). */
    public static void check(Map<String, String> env) {
        ConsumerSettings.fromEnv(env);
        NotifySettings.channels(env);
        QueueWatch.Thresholds.fromEnv(env);
    }

    /** Starts the workers ({@code channels}: the alert channels, asked at each alert change) and the maintenance job. */
    public static ConsumerComponent start(Map<String, String> env, DataSource dataSource, ConsumerSettings settings,
                                          Supplier<List<String>> channels) throws Exception {
        ConsumerService c = new ConsumerService(BrokerSettings.fromEnv(env), Routing.QueueNames.fromEnv(env),
                dataSource, settings, channels, Clock.systemUTC());
        c.start();
        return new ConsumerComponent(c, maintenance(dataSource));
    }

    private static AutoCloseable maintenance(DataSource dataSource) {
        Maintenance job = new Maintenance(dataSource, Clock.systemUTC(), 7);
        return Every.run(1, TimeUnit.MINUTES, "fleetwatch-maintenance", () -> {
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

    /** Stops the maintenance job, then the workers (each finishes and acks the batch in hand). */
    @Override
    public void close() throws Exception {
        maintenance.close();
        service.close();
    }
}
