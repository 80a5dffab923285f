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
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TcpProxy;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The database goes away mid-stream (its connections reset, new ones refused) and comes back: the consumer stops
 * acking, holds on, and stores everything once it returns. Several consumers compete on the queue meanwhile.
 */
class DatabaseOutageIT {

    private static String sample(int host, int i, Instant t) {
        return String.format("{\"host_id\":\"outage-host-%06d\",\"seq\":%d,\"collected_at\":\"%s\",\"metrics\":"
                + "{\"cpu_percent\":%d,\"ram_percent\":1,\"disk_percent\":1,\"network_sent_mbps\":0,"
                + "\"network_recv_mbps\":0,\"gpu_percent\":null,\"uptime_seconds\":5,\"logged_in_users\":0}}",
                host, i, t.plusSeconds(i), i % 100);
    }

    @Test
    void nothingIsLostOrDuplicatedWhenTheDatabaseGoesAwayAndComesBack() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            URI u = URI.create(db.jdbcUrl().substring(5));
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (TcpProxy proxy = new TcpProxy(u.getPort());
                 HikariDataSource direct = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "direct");
                 HikariDataSource viaProxy = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL",
                         db.jdbcUrl().replace(":" + u.getPort() + "/", ":" + proxy.port() + "/"))), "via-proxy");
                 Connection conn = bs.connectionFactory().newConnection("outage-it");
                 Channel ch = conn.createChannel()) {
                new Migrator(direct, "auto").migrate();
                Topology.standard().declare(conn);
                BatchWorker.Settings settings = new BatchWorker.Settings(100, Duration.ofMillis(50), 300,
                        Duration.ofMillis(100), Duration.ofMillis(500));
                Jdbi jdbi = ConsumerService.jdbi(direct);
                // two consumer "processes" (separate connections and pools) compete on the same queue
                try (ConsumerService a = new ConsumerService(bs, Routing.QueueNames.defaults(), viaProxy, settings,
                        List.of(), Clock.systemUTC());
                     ConsumerService b = new ConsumerService(bs, Routing.QueueNames.defaults(), viaProxy, settings,
                             List.of(), Clock.systemUTC())) {
                    a.start();
                    b.start();
                    Instant t0 = Instant.now().minusSeconds(3600);
                    int hosts = 20;
                    int perHost = 50;
                    int sent = 0;
                    for (int i = 0; i < perHost; i++) {
                        if (i == 15) {
                            Await.until(Duration.ofSeconds(20), "first part stored", () -> count(jdbi) == 15 * hosts);
                            proxy.cut();
                        }
                        if (i == 40) {
                            Thread.sleep(1_500); // the outage lasts a while: both consumers retry, nothing is acked
                            assertThat(count(jdbi)).isEqualTo(15 * hosts);
                            assertThat(a.stats().get(1).retries() + b.stats().get(1).retries())
                                    .as("consumers are retrying during the outage").isPositive();
                            proxy.restore();
                        }
                        for (int h = 0; h < hosts; h++) {
                            ch.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY,
                                    MessageProperties.PERSISTENT_TEXT_PLAIN,
                                    sample(h, i, t0).getBytes(StandardCharsets.UTF_8));
                            sent++;
                        }
                    }
                    int expected = sent;
                    Await.until(Duration.ofSeconds(30), "all " + expected + " stored", () -> count(jdbi) == expected);
                    Thread.sleep(300);
                    assertThat(count(jdbi)).isEqualTo(expected);
                    int distinct = jdbi.withHandle(h -> h.createQuery(
                            "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics").mapTo(Integer.class).one());
                    assertThat(distinct).isEqualTo(expected);
                    assertThat(ch.messageCount("metrics_queue.dlq")).isZero();
                    assertThat(a.stats().get(1).stored()).as("both consumers took part").isPositive();
                    assertThat(b.stats().get(1).stored()).isPositive();
                }
            }
        }
    }

    private static int count(Jdbi jdbi) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics").mapTo(Integer.class).one());
    }
}
