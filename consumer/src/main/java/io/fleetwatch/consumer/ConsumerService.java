package io.fleetwatch.consumer;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.store.MaintenanceModeStore;
import io.fleetwatch.store.Stores;
import io.fleetwatch.transport.Transport;
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

/**
 * The consumer process: one transport (a RabbitMQ connection, the postgres queue table, or Redis Streams), {@link BatchWorker}s per
 * queue, sharing one connection pool.
 */
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
    /** Given, or opened at {@link #start} from {@link #broker}; closed by {@link #stop} either way. */
    private Transport transport;
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

    /**
     * On the given transport ({@code Transports.open}), which the service closes when it stops; {@code alertChannels}
     * as above.
     */
    public ConsumerService(Transport transport, Routing.QueueNames queues, DataSource dataSource,
                           ConsumerSettings settings, Supplier<List<String>> alertChannels, Clock clock) {
        this(null, queues, dataSource, settings.batch(), settings.workersPerQueue(), alertChannels, clock);
        this.transport = transport;
    }

    /** On the given transport, one worker per queue; for tests and tools. */
    public ConsumerService(Transport transport, Routing.QueueNames queues, DataSource dataSource,
                           BatchWorker.Settings settings, Clock clock) {
        this(null, queues, dataSource, settings, 1, fixed(List.of()), clock);
        this.transport = transport;
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
        if (transport == null) {
            transport = RabbitTransport.connect(broker, new Topology(queues, Topology.Limits.defaults()),
                    "fleetwatch-consumer");
        }
        // Workers of one queue compete for its messages; each has its own consumer (channel or claims) and batch.
        for (int i = 0; i < workersPerQueue; i++) {
            add(worker("discovery-" + i, queues.discovery(), Decoders.discovery(clock), new DiscoverySink(jdbi)));
            add(worker("metrics-" + i, queues.metrics(), Decoders.metrics(clock), new MetricsSink(jdbi)));
            add(worker("alerts-" + i, queues.alerts(), Decoders.alerts(clock), new AlertSink(jdbi, alertChannels)));
            add(worker("inventory-" + i, queues.inventory(), Decoders.inventory(clock), new InventorySink(jdbi)));
        }
        LOG.info("consumer started on {}", transport.describe());
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

    private <T> BatchWorker<T> worker(String name, String queue, Decoder<T> decoder, Sink<T> sink) throws IOException {
        return new BatchWorker<>(name, transport.consumer(queue, name, settings.prefetch()), queue, decoder, sink,
                settings, metrics);
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

    /** Drains: every worker finishes and acks the batch in hand, then the transport closes. */
    public void stop(Duration timeout) {
        if (maintenance != null) {
            maintenance.shutdownNow();
        }
        for (BatchWorker<?> w : workers) {
            w.stop(timeout);
        }
        workers.clear();
        if (transport != null) {
            transport.close();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}
