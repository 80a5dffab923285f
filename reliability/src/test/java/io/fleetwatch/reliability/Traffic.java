package io.fleetwatch.reliability;

import io.fleetwatch.transport.Publisher;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Test traffic (valid samples, quiet or over thresholds) and the counts the scenarios check. */
final class Traffic {
    private Traffic() {}

    /**
     * The environment of a pipeline on this test's own virtual host and database, with the topology declared and the
     * schema migrated by the CLI (as an operator would); mutable, for the test's additions.
     */
    static Map<String, String> pipeline(io.fleetwatch.testing.TestBroker tb, TestDatabase db) {
        Map<String, String> env = new java.util.HashMap<>(tb.env());
        env.put("DATABASE_URL", db.jdbcUrl());
        org.assertj.core.api.Assertions.assertThat(io.fleetwatch.cli.Main.run(env, "queue-setup")).as("queue-setup").isZero();
        org.assertj.core.api.Assertions.assertThat(io.fleetwatch.cli.Main.run(env, "db", "migrate")).as("db migrate").isZero();
        return env;
    }

    /** n samples over `hosts` hosts, 10 s apart per host, ending now; cpu at `cpu` percent. */
    static List<MetricsMessage> samples(String prefix, int n, int hosts, double cpu) {
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<MetricsMessage> out = new ArrayList<>(n);
        int rounds = (n + hosts - 1) / hosts;
        for (int i = 0; i < n; i++) {
            int h = i % hosts;
            int round = i / hosts;
            out.add(new MetricsMessage(SchemaVersion.CURRENT, null, String.format("%s-%08d", prefix, h), prefix + "-" + h,
                    (long) round + 1, end.minusSeconds(10L * (rounds - round)).plusMillis(h),
                    new MetricsMessage.Metrics(cpu, 40.0, 50.0, 1.5, 2.5, null, 1000L + round, 1)));
        }
        return out;
    }

    static void publish(Map<String, String> env, List<?> messages) throws Exception {
        try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("traffic");
             ConfirmingPublisher pub = new ConfirmingPublisher(c, "traffic", Duration.ofSeconds(30), Clock.systemUTC())) {
            List<Publisher.Outgoing> batch = new ArrayList<>();
            for (Object m : messages) {
                batch.add(Publisher.Outgoing.of(routingKey(m), m));
                if (batch.size() == 1000) {
                    pub.publishAll(batch);
                    batch.clear();
                }
            }
            pub.publishAll(batch);
        }
    }

    private static String routingKey(Object m) {
        return m instanceof MetricsMessage ? Routing.METRICS_ROUTING_KEY : Routing.DISCOVERY_ROUTING_KEY;
    }

    static long count(TestDatabase db, String sql) {
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return -1; // the database is down or restarting: the caller polls again
        }
    }

    /** Messages ready plus unacknowledged in a queue. */
    static long depth(Map<String, String> env, String queue) throws Exception {
        try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("depth");
             var ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /** One line per scenario into target/reliability-figures.txt (the figures docs/reliability.md quotes). */
    static void figures(String line) throws Exception {
        System.out.println("FIGURES " + line);
        java.nio.file.Files.writeString(java.nio.file.Path.of("target/reliability-figures.txt"), line + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    }

    /** Rows per agent host id (an agent numbers its samples from 1: the last number is how many it took). */
    static Map<String, Long> perHost(TestDatabase db) throws Exception {
        Map<String, Long> out = new java.util.TreeMap<>();
        try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(
                "SELECT s.host_id, count(*) FROM metrics m JOIN systems s ON s.id = m.system_id GROUP BY s.host_id")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }
}
