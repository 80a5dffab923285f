package io.fleetwatch.consumer;

import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.store.MaintenanceModeStore;
import io.fleetwatch.store.Stores;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The consumer process: one broker connection, one {@link BatchWorker} per queue, sharing one connection pool. */
public final class ConsumerService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerService.class);

    private final BrokerSettings broker;
    private final Routing.QueueNames queues;
    private final Jdbi jdbi;
    private final BatchWorker.Settings settings;
    private final int workersPerQueue;
    private final Clock clock;
    private final Supplier<List<String>> alertChannels;
    private final List<BatchWorker<?>> workers = new ArrayList<>();
    private OpsMetrics metrics = new OpsMetrics();
    private Connection connection;
    /** How often the maintenance-mode switch is read (it is cached in between). */
    private Duration maintenanceCheck = MAINTENANCE_CHECK;
    private java.util.concurrent.ScheduledExecutorService maintenance;

    /** How often a consumer reads the maintenance-mode switch by default. */
    public static final Duration MAINTENANCE_CHECK = Duration.ofSeconds(5);

    public ConsumerService(BrokerSettings broker, Routing.QueueNames queues, DataSource dataSource,
                           BatchWorker.Settings settings, Clock clock) {
        this(broker, queues, dataSource, settings, List.of(), clock);
    }

    public ConsumerService(BrokerSettings broker, Routing.QueueNames queues, DataSource dataSource,
                           ConsumerSettings settings, List<String> alertChannels, Clock clock) {
        this(broker, queues, dataSource, settings, fixed(alertChannels), clock);
    }

    /** {@code alertChannels} is asked at each alert change, so a reload (SIGHUP) can add or remove a channel. */
    public ConsumerService(BrokerSettings broker, Routing.QueueNames queues, DataSource dataSource,
                           ConsumerSettings settings, Supplier<List<String>> alertChannels, Clock clock) {
        this(broker, queues, dataSource, settings.batch(), settings.workersPerQueue(), alertChannels, clock);
    }

    private static Supplier<List<String>> fixed(List<String> channels) {
        List<String> copy = List.copyOf(channels);
        return () -> copy;
    }

    /** {@code alertChannels}: names of the notification channels each new or resolved alert is queued for. */
    public ConsumerService(BrokerSettings broker, Routing.QueueNames queues, DataSource dataSource,
                           BatchWorker.Settings settings, List<String> alertChannels, Clock clock) {
        this(broker, queues, dataSource, settings, 1, fixed(alertChannels), clock);
    }

    private ConsumerService(BrokerSettings broker, Routing.QueueNames queues, DataSource dataSource,
                            BatchWorker.Settings settings, int workersPerQueue, Supplier<List<String>> alertChannels,
                            Clock clock) {
        this.workersPerQueue = workersPerQueue;
        this.alertChannels = alertChannels;
        this.broker = broker;
        this.queues = queues;
        this.jdbi = jdbi(dataSource);
        this.settings = settings;
        this.clock = clock;
    }

    /** The Jdbi the sinks share ({@link Stores#jdbi}); kept here for the callers that build sinks themselves. */
    public static Jdbi jdbi(DataSource dataSource) {
        return Stores.jdbi(dataSource);
    }

    public void start() throws IOException, TimeoutException {
        connection = broker.newConnection("fleetwatch-consumer");
        // Workers of one queue compete for its messages; each has its own channel, prefetch and batch.
        for (int i = 0; i < workersPerQueue; i++) {
            add(new BatchWorker<>("discovery-" + i, connection, queues.discovery(), Decoders.discovery(clock),
                    new DiscoverySink(jdbi), settings, metrics));
            add(new BatchWorker<>("metrics-" + i, connection, queues.metrics(), Decoders.metrics(clock),
                    new MetricsSink(jdbi), settings, metrics));
            add(new BatchWorker<>("alerts-" + i, connection, queues.alerts(), Decoders.alerts(clock),
                    new AlertSink(jdbi, alertChannels), settings, metrics));
            add(new BatchWorker<>("inventory-" + i, connection, queues.inventory(), Decoders.inventory(clock),
                    new InventorySink(jdbi), settings, metrics));
        }
        LOG.info("consumer started on {}", broker.describe());
        MaintenanceModeStore.Cached mode = new MaintenanceModeStore.Cached(jdbi, maintenanceCheck);
        List<BatchWorker<?>> all = List.copyOf(workers);
        maintenance = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetwatch-maintenance-mode");
            t.setDaemon(true);
            return t;
        });
        maintenance.scheduleWithFixedDelay(() -> follow(mode.enabled(), all), 0, maintenanceCheck.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Maintenance mode on: every worker stops taking messages (they wait in the queues); off: they take them again. */
    private static void follow(boolean on, List<BatchWorker<?>> all) {
        for (BatchWorker<?> w : all) {
            try {
                if (on) {
                    w.pause();
                } else {
                    w.resume();
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("maintenance mode: could not {} a worker ({}); trying again at the next check",
                        on ? "pause" : "resume", e.getMessage());
            }
        }
    }

    /** Tests check the switch more often than {@link #MAINTENANCE_CHECK}; call before {@link #start}. */
    void checkMaintenanceEvery(Duration every) {
        this.maintenanceCheck = every;
    }

    /** Counts into {@code m} (the consumer's {@code /metrics}); before {@link #start()}. */
    public ConsumerService meteredBy(OpsMetrics m) {
        this.metrics = java.util.Objects.requireNonNull(m, "metrics");
        return this;
    }

    private void add(BatchWorker<?> w) throws IOException {
        w.start();
        workers.add(w);
    }

    public List<BatchWorker.Stats> stats() {
        return workers.stream().<BatchWorker.Stats>map(BatchWorker::stats).toList();
    }

    /** Drains: every worker finishes and acks the batch in hand, then the connection closes. */
    public void stop(Duration timeout) {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        for (BatchWorker<?> w : workers) {
            w.stop(timeout);
        }
        workers.clear();
        if (connection != null) {
            try {
                connection.close(5_000);
            } catch (IOException | RuntimeException ignored) {
                // already closed
            }
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
