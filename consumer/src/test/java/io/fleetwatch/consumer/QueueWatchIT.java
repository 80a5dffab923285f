package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Backlog alerts from real queue depths (thresholds scaled down: 100 / 1 000). */
class QueueWatchIT {

    @Test
    void backlogFiresWarningThenCriticalAndResolvesWhenDrained() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "qw")) {
            new Migrator(ds, "auto").migrate();
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (Connection conn = bs.connectionFactory().newConnection(); Channel ch = conn.createChannel()) {
                Topology.standard().declare(conn);
                QueueWatch watch = new QueueWatch(ds, bs, List.of("discovery_queue", "metrics_queue"),
                        new QueueWatch.Thresholds(100, 1_000), Clock.systemUTC());
                Jdbi jdbi = ConsumerService.jdbi(ds);

                assertThat(watch.runOnce()).isEmpty();
                publish(ch, 150);
                assertThat(watch.runOnce()).containsExactly(
                        new QueueWatch.Change("discovery_queue", "warning", "firing", 150));
                assertThat(watch.runOnce()).as("still above: no repeat").isEmpty();
                publish(ch, 1_000);
                assertThat(watch.runOnce()).containsExactly(
                        new QueueWatch.Change("discovery_queue", "critical", "firing", 1_150));
                ch.queuePurge("discovery_queue");
                assertThat(watch.runOnce()).containsExactly(
                        new QueueWatch.Change("discovery_queue", "warning", "resolved", 0),
                        new QueueWatch.Change("discovery_queue", "critical", "resolved", 0));

                List<String> events = jdbi.withHandle(h -> h.createQuery("SELECT e.alert_type || '/' || e.severity"
                        + " || '/' || e.state || '/' || e.value::int FROM alert_events e JOIN alert_outbox o"
                        + " ON o.event_id = e.id JOIN systems s ON s.id = e.system_id"
                        + " WHERE s.hostname = 'fleetwatch-pipeline' ORDER BY e.id").mapTo(String.class).list());
                assertThat(events).containsExactly("queue_backlog_discovery_queue/warning/firing/150",
                        "queue_backlog_discovery_queue/critical/firing/1150",
                        "queue_backlog_discovery_queue/warning/resolved/0",
                        "queue_backlog_discovery_queue/critical/resolved/0");
            }
        }
    }

    /** Confirmed publishes: once confirmed, the messages are in the queue. */
    private static void publish(Channel ch, int n) throws Exception {
        ch.confirmSelect();
        for (int i = 0; i < n; i++) {
            ch.basicPublish(Routing.EXCHANGE, Routing.DISCOVERY_ROUTING_KEY, MessageProperties.PERSISTENT_BASIC,
                    "{}".getBytes());
        }
        ch.waitForConfirmsOrDie(5_000);
    }

    @Test
    void alertTypesStayInTheContractAlphabet() {
        assertThat(QueueWatch.alertType("Metrics-Queue.v2")).isEqualTo("queue_backlog_metrics_queue_v2");
    }
}
