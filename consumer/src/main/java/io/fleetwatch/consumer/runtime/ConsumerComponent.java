package io.fleetwatch.consumer.runtime;

import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.transport.Transports;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The consumer's queue workers as one component. Its notifier and queue watch are the reloadable parts
 * {@link Notifications} and {@link QueueWatchComponent}; the metrics maintenance job is the sql module's
 * {@code MaintenanceJob}.
 */
public final class ConsumerComponent implements AutoCloseable {
    private final ConsumerService service;

    private ConsumerComponent(ConsumerService service) {
        this.service = service;
    }

    /** The settings the consumer, its notifier and its queue watch start with (for {@code --validate-only}). */
    public static void check(Map<String, String> env) {
        Transports.checkEnv(env);
        ConsumerSettings.fromEnv(env);
        NotifySettings.channels(env);
        QueueWatch.Thresholds.fromEnv(env);
    }

    /** Starts the workers on the transport {@code QUEUE_TYPE} chooses ({@code channels}: the alert channels, asked at each alert change) and the maintenance job. */
    public static ConsumerComponent start(Map<String, String> env, DataSource dataSource, ConsumerSettings settings,
                                          Supplier<List<String>> channels) throws Exception {
        return start(env, dataSource, settings, channels, new OpsMetrics());
    }

    /** As above, the workers counting into {@code metrics} (batches, rows stored, dead letters, retries, latency). */
    public static ConsumerComponent start(Map<String, String> env, DataSource dataSource, ConsumerSettings settings,
                                          Supplier<List<String>> channels, OpsMetrics metrics) throws Exception {
        io.fleetwatch.store.MetricStore.requireCatalogColumnsAtStart(dataSource); // a metric without its migration
        ConsumerService c = new ConsumerService(
                Transports.open(Settings.fromEnv(env), () -> dataSource, "fleetwatch-consumer"),
                Routing.QueueNames.fromEnv(env), dataSource, settings, channels, Clock.systemUTC()).meteredBy(metrics);
        c.start();
        return new ConsumerComponent(c);
    }

    /** Stops the workers; each finishes and acks the batch in hand. */
    @Override
    public void close() {
        service.close();
    }
}
