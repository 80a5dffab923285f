package io.fleetwatch.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.consumer.BatchWorker;
import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.MetricsSink;
import io.fleetwatch.consumer.relay.AlertRelay;
import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The ingest benchmark of the consumers-and-database issue, in one run on this machine's real RabbitMQ and
 * PostgreSQL, each figure beside a baseline measured in the same run:
 * P = RabbitMQ PerfTest with the same message size and queue settings, C = raw COPY of the same rows into the same
 * table, W = the consumer's database write path alone, E = the pipeline end to end (publish with confirms, consume,
 * store), L = alert latency from the commit of a threshold-crossing sample to the alert on the alert exchange,
 * measured while E runs.
 */
public final class IngestBench {
    /** The consumer's COPY columns: every metric of the catalog. */
    private static final String COLUMNS = io.fleetwatch.store.MetricStore.COLUMNS;
    /** The alert-latency probe's row: the contract's first eight metrics. */
    private static final String PROBE_COLUMNS = "system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
            + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, source_seq";

    private static final AMQP.BasicProperties PERSISTENT_JSON = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(2).build();

    public static void main(String[] args) throws Exception {
        int n = intArg(args, "--messages", 200_000);
        int hosts = intArg(args, "--hosts", 1000);
        int perfSeconds = intArg(args, "--perftest-seconds", 20);
        int workers = intArg(args, "--workers", 1);
        int relays = intArg(args, "--relays", 1);
        List<MetricsMessage> msgs = generate(n, hosts);
        int size = MessageCodec.encode(msgs.get(0)).length;
        log("%d messages from %d hosts, %d bytes each; %d consumer worker(s) on metrics_queue, %d relay(s)", n, hosts,
                size, workers, relays);

        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl(),
                     "DATABASE_POOL_SIZE", "8")), "bench")) {
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            new Migrator(ds, "auto").migrate();
            Map<String, Long> systemIds = createSystems(ds, msgs);
            Jdbi jdbi = ConsumerService.jdbi(ds);

            double p = perfTest(tb, size, perfSeconds);
            log("P  PerfTest: %.0f msg/s", p);

            double c = copy(db.jdbcUrl(), msgs, systemIds, 10_000);
            log("C  raw COPY, 10 000 rows per COPY: %.0f rows/s", c);
            reset(jdbi);
            double c1 = copy(db.jdbcUrl(), msgs, systemIds, 1_000);
            log("C1 raw COPY, 1 000 rows per COPY: %.0f rows/s", c1);
            forgetNewHosts(jdbi);

            List<MetricsMessage> sent = withRedeliveries(msgs);
            double w = sinkOnly(jdbi, sent, msgs.size());
            log("W  MetricsSink.write: %.0f rows/s", w);
            forgetNewHosts(jdbi);

            double[] e = endToEnd(bs, ds, jdbi, sent, msgs.size(), workers, relays);
            log("E  end to end: %.0f rows/s; alert latency p50 %.1f ms, p99 %.1f ms, max %.1f ms over %d alerts",
                    e[0], e[1], e[2], e[3], (int) e[4]);

            double min = Math.min(p, c);
            System.out.println();
            System.out.printf("Fleetwatch ingest benchmark on %s: %d samples (%d B) + %d redelivered, %d hosts (%d new),"
                    + " 5 %% crossing the CPU threshold, %d metrics worker(s), %d relay(s)%n", engineOf(db.jdbcUrl()), n, size,
                    sent.size() - n, hosts, hosts / 50, workers, relays);
            System.out.printf("| figure | value | ratio | goal |%n|---|---|---|---|%n");
            System.out.printf("| P: RabbitMQ PerfTest, persistent, confirms, multi-ack, same queue args | %,.0f msg/s | | baseline |%n", p);
            System.out.printf("| C: raw COPY into metrics, 10 000 rows per COPY (same rows, table, triggers) | %,.0f rows/s | | baseline |%n", c);
            System.out.printf("| C1: raw COPY, 1 000 rows per COPY (the consumer's batch size) | %,.0f rows/s | C1/C = %.2f | |%n", c1, c1 / c);
            System.out.printf("| W: consumer write path (MetricsSink, batches of 1000, one thread) | %,.0f rows/s | W/C = %.2f, W/C1 = %.2f | W/C >= 0.80 |%n", w, w / c, w / c1);
            System.out.printf("| E: end to end (publish with confirms -> consume -> commit) | %,.0f rows/s | E/min(P,C) = %.2f | >= 0.70 |%n", e[0], e[0] / min);
            System.out.printf("| L: alert latency, commit -> alert on exchange, under load E | p50 %.1f ms, p99 %.1f ms | | p99 <= 100 ms |%n", e[1], e[2]);
        }
    }

    static void log(String fmt, Object... args) {
        System.err.printf("bench: " + fmt + "%n", args);
    }

    static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }

    /**
     * What a fleet sends, 10 s apart per host: mostly quiet samples, and for 5 % of them a host in a CPU burst above
     * the 90 % alert threshold (bursts of 6 samples every 120 per host, staggered: alerts fire and resolve all along).
     * Hosts {@code h % 50 == 49} (2 %) are new to the database when the consumer first sees them ({@link #NEW_HOST}).
     */
    static List<MetricsMessage> generate(int n, int hosts) {
        Random r = new Random(42);
        Instant t0 = Instant.now().minus(Duration.ofHours(6)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        List<MetricsMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int h = i % hosts;
            int round = i / hosts;
            boolean hot = (round + h * 7) % 120 < 6;
            out.add(new MetricsMessage(SchemaVersion.CURRENT, null,
                    String.format(h % 50 == 49 ? NEW_HOST + "%08d" : "bench-host-%08d", h),
                    "bench-" + h, (long) round + 1, t0.plusSeconds(10L * round).plusMillis(h),
                    CatalogValues.fill(new MetricsMessage.Metrics(hot ? round2(92 + r.nextDouble() * 7)
                            : round2(r.nextDouble() * 60), round2(20 + r.nextDouble() * 50),
                            round2(30 + r.nextDouble() * 40), round2(r.nextDouble() * 100),
                            round2(r.nextDouble() * 100), h % 4 == 0 ? round2(r.nextDouble() * 80) : null,
                            100_000L + round * 10L, r.nextInt(4)), r)));
        }
        return out;
    }

    /** host_id prefix of the hosts the consumer creates during W and E (their systems are removed before each). */
    static final String NEW_HOST = "bench-new-";

    /**
     * The messages as a broker redelivers them: 1 % again, in blocks of 500 (the unacknowledged prefetch of a
     * consumer that died), right after the originals. Stored once each.
     */
    static List<MetricsMessage> withRedeliveries(List<MetricsMessage> msgs) {
        List<MetricsMessage> out = new ArrayList<>(msgs.size() + msgs.size() / 100);
        for (int i = 0; i < msgs.size(); i++) {
            out.add(msgs.get(i));
            if ((i + 1) % 50_000 == 0) {
                out.addAll(msgs.subList(i + 1 - 500, i + 1));
            }
        }
        return out;
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static Map<String, Long> createSystems(HikariDataSource ds, List<MetricsMessage> msgs) throws Exception {
        Map<String, Long> ids = new HashMap<>();
        try (java.sql.Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO systems (host_id, hostname, status) VALUES (?, ?, 'up') RETURNING id")) {
            for (MetricsMessage m : msgs) {
                if (!ids.containsKey(m.hostId())) {
                    ps.setString(1, m.hostId());
                    ps.setString(2, m.hostname());
                    try (var rs = ps.executeQuery()) {
                        rs.next();
                        ids.put(m.hostId(), rs.getLong(1));
                    }
                }
            }
        }
        return ids;
    }

    /** Empties what a run filled, on either engine. */
    static void reset(Jdbi jdbi) {
        jdbi.useHandle(h -> {
            boolean plain = "postgresql".equals(h.createQuery("SELECT value FROM fleetwatch_meta WHERE key ="
                    + " 'metrics_storage'").mapTo(String.class).one());
            StringBuilder rollups = new StringBuilder(", metrics_5m_data, metrics_5m_dirty");
            db.migration.V7__Metrics_rollups.LEVELS.forEach(l -> rollups.append(", ").append(l.name()).append("_data, ")
                    .append(l.name()).append("_dirty"));
            h.execute("TRUNCATE metrics, alert_state, alert_events" + (plain ? rollups : "") + " CASCADE");
        });
    }

    /** Removes the systems of the new hosts (after the COPY baselines, which need them), so the consumer makes them. */
    static void forgetNewHosts(Jdbi jdbi) {
        reset(jdbi);
        jdbi.useHandle(h -> h.execute("DELETE FROM systems WHERE host_id LIKE '" + NEW_HOST + "%'"));
    }

    /** The metrics storage of a benchmark's database as the migrations recorded it, with the server's version. */
    static String engineOf(String jdbcUrl) throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl);
             java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                     "SELECT value, (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'),"
                             + " current_setting('server_version') FROM fleetwatch_meta WHERE key = 'metrics_storage'")) {
            rs.next();
            return ("timescaledb".equals(rs.getString(1)) ? "TimescaleDB " + rs.getString(2) + " on " : "plain ")
                    + "PostgreSQL " + rs.getString(3).split(" ")[0];
        }
    }

    /** PerfTest in its own JVM, against a queue declared with the same arguments as metrics_queue. */
    static double perfTest(TestBroker tb, int size, int seconds) throws Exception {
        Map<String, Object> args = Topology.standard().workQueues().get(1).arguments();
        StringBuilder qa = new StringBuilder();
        args.forEach((k, v) -> {
            if (!k.startsWith("x-dead-letter")) { // PerfTest's queue has no DLX of its own; the rest is identical
                qa.append(qa.length() > 0 ? "," : "").append(k).append('=').append(v);
            }
        });
        String uri = "amqp://" + tb.env().get("QUEUE_USER") + ":" + tb.env().get("QUEUE_PASSWORD") + "@"
                + tb.env().get("QUEUE_HOST") + ":" + tb.env().get("QUEUE_PORT") + "/" + tb.encodedVhost();
        List<String> cmd = List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), "com.rabbitmq.perf.PerfTest", "--uri", uri,
                "-x", "1", "-y", "1", "-s", Integer.toString(size), "-f", "persistent", "-c", "1000",
                "-q", "3000", "-A", "1000", "-u", "perftest_metrics", "-ad", "false", "-qa", qa.toString(),
                "-z", Integer.toString(seconds));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Pattern rate = Pattern.compile("receiving rate avg: (\\d+) msg/s");
        double result = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                Matcher m = rate.matcher(line);
                if (m.find()) {
                    result = Double.parseDouble(m.group(1));
                }
                if (line.contains("rate avg")) {
                    log("PerfTest: %s", line.strip());
                }
            }
        }
        if (proc.waitFor() != 0 || result < 0) {
            throw new IllegalStateException("PerfTest failed (exit " + proc.exitValue() + ")");
        }
        return result;
    }

    /** COPY of the same rows, one transaction per chunk, CSV prepared beforehand: the database's best case. */
    static double copy(String jdbcUrl, List<MetricsMessage> msgs, Map<String, Long> ids, int chunk) throws Exception {
        List<String> chunks = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < msgs.size(); i++) {
            MetricsMessage m = msgs.get(i);
            MetricsMessage.Metrics x = m.metrics();
            sb.append(ids.get(m.hostId())).append(',').append(m.collectedAt()).append(',');
            for (String name : io.fleetwatch.messages.MetricCatalog.DEFAULT.names()) {
                Number v = x.get(name);
                sb.append(v == null ? "" : v).append(',');
            }
            sb.append(m.seq()).append('\n');
            if ((i + 1) % chunk == 0 || i == msgs.size() - 1) {
                chunks.add(sb.toString());
                sb.setLength(0);
            }
        }
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl)) {
            CopyManager cm = c.unwrap(PGConnection.class).getCopyAPI();
            long t0 = System.nanoTime();
            for (String text : chunks) {
                cm.copyIn("COPY metrics (" + COLUMNS + ") FROM STDIN (FORMAT csv)", new StringReader(text));
            }
            return msgs.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Rows stored per second: {@code unique} rows from {@code msgs} (which hold redeliveries). */
    static double sinkOnly(Jdbi jdbi, List<MetricsMessage> msgs, int unique) throws Exception {
        MetricsSink sink = new MetricsSink(jdbi);
        long t0 = System.nanoTime();
        for (int i = 0; i < msgs.size(); i += 1000) {
            sink.write(msgs.subList(i, Math.min(i + 1000, msgs.size())));
        }
        double rate = unique / ((System.nanoTime() - t0) / 1e9);
        int stored = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics").mapTo(Integer.class).one());
        if (stored != unique) {
            throw new IllegalStateException("W stored " + stored + " rows of " + unique);
        }
        return rate;
    }

    /** Returns {rows/s, latency p50, p99, max, alerts measured}. */
    static double[] endToEnd(BrokerSettings bs, HikariDataSource ds, Jdbi jdbi, List<MetricsMessage> msgs, int unique,
                             int workers, int relays) throws Exception {
        try (Connection conn = bs.newConnection("bench")) {
            Topology.standard().declare(conn);
            // a tap on the alert exchange: sees each alert the relay publishes, next to the real alert_queue
            Channel tap = conn.createChannel();
            tap.queueDeclare("bench_alert_tap", false, true, true, null);
            tap.queueBind("bench_alert_tap", Routing.EXCHANGE, Routing.ALERTS_BINDING);
            Map<Long, Long> committed = new ConcurrentHashMap<>();
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            tap.basicConsume("bench_alert_tap", true, new DefaultConsumer(tap) {
                @Override
                public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) {
                    long now = System.nanoTime();
                    try {
                        AlertMessage a = MessageCodec.decode(body, AlertMessage.class);
                        // the probe's sequence number k rides in the value: 60 + k/10^4 (hot) or 10 + k/10^4 (cool)
                        long k = Math.round(a.value() * 10_000) - (a.value() >= 50 ? 600_000 : 100_000);
                        Long t = committed.get(k);
                        if (t != null) {
                            latencies.add((now - t) / 1e6);
                        }
                    } catch (Exception e) {
                        log("tap: %s", e.getMessage());
                    }
                }
            });
            long probeSystem = jdbi.withHandle(h -> {
                h.execute("INSERT INTO departments (id, name) VALUES (999, 'latency probe') ON CONFLICT DO NOTHING");
                h.execute("INSERT INTO alert_rules (metric, alert_type, dept_id, fire_at, clear_at, min_samples, severity)"
                        + " VALUES ('cpu_percent', 'cpu_high', 999, 50, 40, 1, 'warning') ON CONFLICT DO NOTHING");
                return h.createQuery("INSERT INTO systems (hostname, dept_id) VALUES ('probe', 999) RETURNING id")
                        .mapTo(Long.class).one();
            });

            ConsumerSettings cs = new ConsumerSettings(new BatchWorker.Settings(1000, Duration.ofMillis(100), 3000,
                    Duration.ofMillis(200), Duration.ofSeconds(10)), workers);
            List<AlertRelay> relayList = new ArrayList<>();
            for (int i = 0; i < relays; i++) {
                relayList.add(new AlertRelay(ds, bs, AlertRelay.Settings.defaults(), Clock.systemUTC()));
            }
            try (ConsumerService consumer = new ConsumerService(bs, Routing.QueueNames.defaults(), ds, cs, List.of(),
                    Clock.systemUTC());
                 AutoCloseable stopRelays = () -> relayList.forEach(AlertRelay::close)) {
                consumer.start();
                relayList.forEach(AlertRelay::start);
                Thread.sleep(500);
                List<byte[]> bodies = msgs.stream().map(MessageCodec::encode).toList();
                AtomicBoolean loading = new AtomicBoolean(true);
                Thread probe = new Thread(() -> probe(ds, probeSystem, committed, loading), "latency-probe");
                long t0 = System.nanoTime();
                probe.start();
                // The load generator stands in for many agents: it publishes bodies encoded beforehand, with confirms
                // in windows of 1000 like PerfTest's -c 1000, so it takes as little CPU as PerfTest's producer.
                try (Channel pub = conn.createChannel()) {
                    pub.confirmSelect();
                    for (int i = 0; i < bodies.size(); i++) {
                        pub.basicPublish(Routing.EXCHANGE, Routing.METRICS_ROUTING_KEY, true, PERSISTENT_JSON, bodies.get(i));
                        if (i % 1000 == 999 || i == bodies.size() - 1) {
                            pub.waitForConfirmsOrDie(30_000);
                        }
                    }
                }
                int want = unique;
                while (jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics WHERE system_id <> :p")
                        .bind("p", probeSystem).mapTo(Integer.class).one()) < want) {
                    Thread.sleep(50);
                }
                double rate = want / ((System.nanoTime() - t0) / 1e9);
                loading.set(false);
                probe.join();
                Thread.sleep(1000); // the last probe alerts arrive
                List<Double> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                if (sorted.isEmpty()) {
                    throw new IllegalStateException("no alert latency measured");
                }
                return new double[] {rate, pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1),
                    sorted.size()};
            }
        }
    }

    /** Every 100 ms, one committed sample for the probe system that crosses its threshold (hot, then cool, ...). */
    private static void probe(HikariDataSource ds, long system, Map<Long, Long> committed, AtomicBoolean loading) {
        long k = 1;
        Instant t = Instant.now().minusSeconds(1);
        try (java.sql.Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO metrics (" + PROBE_COLUMNS + ") VALUES (?, ?, ?, 1, 1, 0, 0, NULL, 1, 0, ?)")) {
            while (loading.get()) {
                double base = k % 2 == 1 ? 60 : 10;
                ps.setLong(1, system);
                ps.setObject(2, OffsetDateTime.ofInstant(t.plusMillis(k), ZoneOffset.UTC));
                ps.setDouble(3, base + k / 10_000.0);
                ps.setLong(4, k);
                ps.executeUpdate(); // autocommit: the commit is what starts the clock
                committed.put(k, System.nanoTime());
                k++;
                Thread.sleep(100);
            }
        } catch (Exception e) {
            throw new IllegalStateException("latency probe failed", e);
        }
    }

    /** The q-quantile of sorted values (nearest rank), 0 for none: the one definition every benchmark here uses. */
    static double pct(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }
}
