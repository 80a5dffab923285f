package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.RabbitTransport;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.transport.DeadLetter;
import io.fleetwatch.transport.PostgresTransport;
import io.fleetwatch.transport.Publisher;
import io.fleetwatch.transport.QueueConsumer;
import io.fleetwatch.transport.RedisTransport;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.transport.TransportKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.JedisPooled;

/**
 * The contract's delivery guarantees, the same test for every transport, on the real RabbitMQ and the real database
 * (run on both engines): at-least-once without a duplicate row, a poison message dead-lettered with its reason, a
 * consumer killed mid-batch losing nothing, and the queue's depth (also as the backlog watch reads it); an inventory
 * report reaches its own queue and worker, and the workers' {@code /metrics} count on every transport.
 */
class TransportGuaranteesIT {
    private static final String METRICS = Routing.METRICS_QUEUE;
    /** Short, so a batch whose consumer died comes back within the test (postgres, redis; RabbitMQ requeues at once). */
    private static final PostgresTransport.Timing TIMING =
            new PostgresTransport.Timing(Duration.ofSeconds(2), Duration.ofMillis(200));
    private static final BatchWorker.Settings BATCH =
            new BatchWorker.Settings(50, Duration.ofMillis(50), 150, Duration.ofMillis(50), Duration.ofSeconds(1));

    /** The shared Redis of the machine; each test has streams of its own there. */
    private static final URI REDIS = URI.create("redis://127.0.0.1:6379");
    private final String redisPrefix = "fleetwatch-test-" + UUID.randomUUID() + ":";
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private TestBroker tb;
    private HikariDataSource ds;
    private Jdbi jdbi;

    private Transport open(TransportKind kind) throws Exception {
        if (ds == null) {
            TestDatabase db = TestDatabase.create();
            toClose.add(0, db);
            ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "transport-it");
            toClose.add(0, ds);
            new Migrator(ds, "auto").migrate();
            jdbi = ConsumerService.jdbi(ds);
        }
        if (kind == TransportKind.RABBITMQ && tb == null) {
            tb = TestBroker.create();
            toClose.add(tb);
        }
        Transport t = opener(kind).open();
        toClose.add(0, t);
        t.declare();
        return t;
    }

    /** A new transport of the kind on this test's broker or database, as {@code Transports.open} gives one. */
    private Transport.Opener opener(TransportKind kind) {
        return switch (kind) {
            case RABBITMQ -> () -> RabbitTransport.connect(BrokerSettings.fromEnv(tb.env()), Topology.standard(),
                    "transport-it");
            case POSTGRES -> () -> new PostgresTransport(ds, Routing.QueueNames.defaults(), TIMING);
            case REDIS -> () -> new RedisTransport(REDIS, redisPrefix, Routing.QueueNames.defaults(),
                    Topology.Limits.defaults(), TIMING);
        };
    }

    private ConsumerService consume(Transport t) throws Exception {
        ConsumerService c = new ConsumerService(t, Routing.QueueNames.defaults(), ds, BATCH, Clock.systemUTC());
        toClose.add(0, c);
        c.start();
        return c;
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        // the shared Redis keeps nothing of this test: only its own streams go
        try (JedisPooled redis = new JedisPooled(REDIS)) {
            for (String q : Routing.QueueNames.defaults().all()) {
                redis.del(redisPrefix + q, redisPrefix + Routing.deadLetterQueue(q));
            }
        }
    }

    /** {@code n} samples of one host, a second apart, ending a minute ago. */
    private static List<Publisher.Outgoing> samples(String host, int n) {
        Instant start = Instant.now().minusSeconds(60L + n);
        List<Publisher.Outgoing> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Publisher.Outgoing.of(Routing.METRICS_ROUTING_KEY, new MetricsMessage(1, null, host, host, (long) i,
                    start.plusSeconds(i), new MetricsMessage.Metrics(10.0, 20.0, 30.0, 0.0, 0.0, null, 100L, 0))));
        }
        return out;
    }

    private void publish(Transport t, List<Publisher.Outgoing> batch) throws Exception {
        try (Publisher p = t.publisher("transport-it", Duration.ofSeconds(10), Clock.systemUTC())) {
            p.publishAll(batch);
        }
    }

    private int stored() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics").mapTo(Integer.class).one());
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aBatchSentTwiceIsStoredOnce(TransportKind kind) throws Exception {
        Transport t = open(kind);
        List<Publisher.Outgoing> batch = samples("twice-" + kind.key(), 40);
        publish(t, batch);
        publish(t, batch); // the producer did not learn of the first confirm and sent it again
        consume(t);
        Await.equal(Duration.ofSeconds(30), "queue drained", 0L, () -> t.depth(METRICS));
        Await.equal(Duration.ofSeconds(30), "rows stored", 40, this::stored);
        Thread.sleep(500); // nothing more arrives late
        assertThat(stored()).isEqualTo(40);
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aPoisonMessageIsDeadLetteredWithItsReason(TransportKind kind) throws Exception {
        Transport t = open(kind);
        List<Publisher.Outgoing> batch = new ArrayList<>(samples("poison-" + kind.key(), 3));
        batch.add(1, Publisher.Outgoing.of(Routing.METRICS_ROUTING_KEY, "{\"not\": \"a sample\"".getBytes(StandardCharsets.UTF_8)));
        publish(t, batch);
        consume(t);
        Await.equal(Duration.ofSeconds(30), "dead letters", 1L, () -> t.depth(Routing.deadLetterQueue(METRICS)));
        Await.equal(Duration.ofSeconds(30), "the valid samples stored", 3, this::stored);
        List<DeadLetter> letters = t.deadLetters(METRICS, 10);
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).sourceQueue()).isEqualTo(METRICS);
        assertThat(letters.get(0).routingKey()).isEqualTo(Routing.METRICS_ROUTING_KEY);
        assertThat(letters.get(0).reason()).isNotBlank();
        assertThat(letters.get(0).bodyText()).isEqualTo("{\"not\": \"a sample\"");
        assertThat(t.depth(METRICS)).isZero();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void aConsumerKilledMidBatchLosesNothing(TransportKind kind) throws Exception {
        Transport t = open(kind);
        publish(t, samples("killed-" + kind.key(), 30));
        Transport victim = open(kind);
        QueueConsumer dying = victim.consumer(METRICS, "victim", 100);
        dying.start();
        List<QueueConsumer.Delivery> held = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (held.size() < 30 && System.nanoTime() < deadline) {
            held.addAll(dying.take(100, Duration.ofMillis(200)));
        }
        assertThat(held).as("the victim took the whole batch").hasSize(30);
        assertThat(t.depth(METRICS)).as("taken, not waiting").isZero();
        victim.close(); // the process dies: no ack, no orderly close of its consumer
        consume(t);
        Await.equal(Duration.ofSeconds(30), "every sample stored after the redelivery", 30, this::stored);
        Await.equal(Duration.ofSeconds(30), "queue drained", 0L, () -> t.depth(METRICS));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void theDepthIsWhatWaits(TransportKind kind) throws Exception {
        Transport t = open(kind);
        assertThat(t.depth(METRICS)).isZero();
        publish(t, samples("depth-" + kind.key(), 7));
        Await.equal(Duration.ofSeconds(10), "depth", 7L, () -> t.depth(METRICS));
        assertThat(t.depth(Routing.deadLetterQueue(METRICS))).isZero();
        assertThat(t.depth(Routing.DISCOVERY_QUEUE)).isZero();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void theBacklogWatchReadsTheTransportsDepth(TransportKind kind) throws Exception {
        Transport t = open(kind);
        publish(t, samples("backlog-" + kind.key(), 6));
        Await.equal(Duration.ofSeconds(10), "depth", 6L, () -> t.depth(METRICS));
        QueueWatch watch = new QueueWatch(ds, opener(kind), List.of(METRICS), new QueueWatch.Thresholds(2, 5),
                Clock.systemUTC());
        assertThat(watch.runOnce()).extracting(QueueWatch.Change::severity, QueueWatch.Change::state)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("warning", "firing"),
                        org.assertj.core.groups.Tuple.tuple("critical", "firing"));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void anInventoryReportTakesItsOwnQueueAndTheWorkersCountIt(TransportKind kind) throws Exception {
        Transport t = open(kind);
        String host = "inventory-" + kind.key();
        publish(t, List.of(Publisher.Outgoing.of(Routing.INVENTORY_ROUTING_KEY, new InventoryMessage(1, null, host, host,
                Instant.now().minusSeconds(30), null, null, null, 8L << 30, List.of(), List.of(), List.of(), List.of(),
                null, null, null))));
        Await.equal(Duration.ofSeconds(10), "waiting in the inventory queue", 1L,
                () -> t.depth(Routing.INVENTORY_QUEUE));
        assertThat(t.depth(METRICS)).isZero();
        OpsMetrics metrics = new OpsMetrics();
        ConsumerService c = new ConsumerService(t, Routing.QueueNames.defaults(), ds, BATCH, Clock.systemUTC())
                .meteredBy(metrics);
        toClose.add(0, c);
        c.start();
        Await.equal(Duration.ofSeconds(30), "inventory stored", 1, () -> jdbi.withHandle(h -> h.createQuery(
                "SELECT count(*) FROM system_inventory").mapTo(Integer.class).one()));
        Await.equal(Duration.ofSeconds(10), "queue drained", 0L, () -> t.depth(Routing.INVENTORY_QUEUE));
        String queue = "queue=\"" + Routing.INVENTORY_QUEUE + "\"";
        Await.equal(Duration.ofSeconds(10), "batches counted", true, () -> metrics.scrape()
                .contains("fleetwatch_consumer_batches_total{" + queue + "} 1"));
        assertThat(metrics.scrape()).contains("fleetwatch_consumer_rows_stored_total{" + queue + "} 1");
    }
}
