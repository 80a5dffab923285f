package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.MaintenanceModeStore;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Maintenance mode: the consumer stops taking metrics (they wait in the queue) and stores the backlog when it ends. */
class MaintenanceModeIT {
    @Test
    void whileOnMetricsWaitInTheQueueAndWhenOffTheBacklogIsStored() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())),
                     "maintenance-it")) {
            new Migrator(ds, "auto", 3650).migrate(); // the golden sample is a year old
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            Jdbi jdbi = ConsumerService.jdbi(ds);
            MaintenanceModeStore mode = new MaintenanceModeStore(jdbi);
            try (Connection conn = bs.connectionFactory().newConnection("maintenance-it")) {
                Topology.standard().declare(conn);
                Channel ch = conn.createChannel();
                String sample;
                try (InputStream in = MaintenanceModeIT.class.getResourceAsStream("/golden/metrics.json")) {
                    sample = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                ConsumerService consumer = new ConsumerService(bs, Routing.QueueNames.defaults(), ds,
                        new BatchWorker.Settings(10, Duration.ofMillis(50), 50, Duration.ofMillis(50),
                                Duration.ofSeconds(1)), ConsumerIT.GOLDEN_TIME);
                consumer.checkMaintenanceEvery(Duration.ofMillis(200));
                try (consumer) {
                    consumer.start();
                    ch.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY, MessageProperties.PERSISTENT_TEXT_PLAIN,
                            sample.getBytes(StandardCharsets.UTF_8));
                    Await.until(Duration.ofSeconds(10), "the first sample stored", () -> rows(jdbi) == 1);

                    mode.set(true, "database upgrade", "maintenance-it", Instant.now());
                    Await.until(Duration.ofSeconds(10), "no consumer on the metrics queue",
                            () -> ch.consumerCount(Routing.METRICS_QUEUE) == 0);
                    for (int i = 0; i < 15; i++) {
                        ch.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY,
                                MessageProperties.PERSISTENT_TEXT_PLAIN, sample.replace("10:35:00Z",
                                        String.format("10:%02d:00Z", 40 + i)).getBytes(StandardCharsets.UTF_8));
                    }
                    Await.until(Duration.ofSeconds(10), "15 waiting", () -> ch.messageCount(Routing.METRICS_QUEUE) == 15);
                    Thread.sleep(1_000); // five checks of the switch: still paused
                    assertThat(ch.messageCount(Routing.METRICS_QUEUE)).as("queue depth").isEqualTo(15);
                    assertThat(rows(jdbi)).as("nothing stored while on").isEqualTo(1);

                    mode.set(false, null, "maintenance-it", Instant.now());
                    Await.until(Duration.ofSeconds(15), "the backlog stored", () -> rows(jdbi) == 16
                            && ch.messageCount(Routing.METRICS_QUEUE) == 0);
                    assertThat(ch.consumerCount(Routing.METRICS_QUEUE)).isEqualTo(1);
                }
            }
        }
    }

    private static long rows(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics").mapTo(Long.class).one());
    }
}
