package io.fleetwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.ApiServer;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The dashboard issue's benchmark: 1,000 hosts and about 10 M metric rows; p50/p99 of the fleet overview and of a 24 h
 * host chart (5 min buckets) through the API on 127.0.0.1, beside the same SQL run directly over JDBC in the same run.
 * Goal: API p99 <= SQL p99 + 5 ms.
 */
public final class ApiBench {
    private ApiBench() {}

    static final String TOKEN = "api-bench-token-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        int hosts = IngestBench.intArg(args, "--hosts", 1000);
        int perHost = IngestBench.intArg(args, "--rows-per-host", 10_000);
        int n = IngestBench.intArg(args, "--requests", 500);
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl(),
                     "DATABASE_POOL_SIZE", "8")), "api-bench")) {
            new Migrator(ds, "auto").migrate();
            long t0 = System.nanoTime();
            seed(ds, hosts, perHost);
            IngestBench.log("seeded %d hosts x %d rows in %.0f s", hosts, perHost, (System.nanoTime() - t0) / 1e9);
            try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, Clock.systemUTC())) {
                HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                String base = "http://127.0.0.1:" + api.port();
                Instant to = Instant.now();
                Instant from = to.minusSeconds(86_400);
                String chartPath = "/api/systems/500/metrics?from=" + from + "&to=" + to + "&bucket=5m&limit=10000";

                double[] apiOverview = timeHttp(http, base + "/api/overview", n);
                double[] sqlOverview = timeSql(ds, io.fleetwatch.api.OverviewController.HOSTS_SQL, null, n);
                double[] apiChart = timeHttp(http, base + chartPath, n);
                double[] sqlChart = timeSql(ds, Rows.chartSql(), new Object[] {from, to}, n);

                // where the API's time goes: the server's own mean per route (its /metrics) against the client's p50
                String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                for (String route : List.of("/api/overview", "/api/systems/{id}/metrics")) {
                    double sum = 0;
                    double count = 0;
                    for (String line : metrics.lines().toList()) {
                        if (line.contains("route=\"" + route + "\"") && line.contains("status=\"200\"")) {
                            double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                            if (line.startsWith("http_server_requests_seconds_sum")) {
                                sum = v;
                            } else if (line.startsWith("http_server_requests_seconds_count")) {
                                count = v;
                            }
                        }
                    }
                    IngestBench.log("server-side mean for %s: %.1f ms over %.0f requests", route, sum / count * 1000, count);
                }
                System.out.println();
                System.out.printf("Fleetwatch API benchmark on %s: %d hosts, %,d metric rows, %d requests each, one"
                        + " client on 127.0.0.1%n%n", IngestBench.engineOf(db.jdbcUrl()), hosts, (long) hosts * perHost, n);
                System.out.println("| query | API p50 | API p99 | SQL p50 | SQL p99 | API p99 - SQL p99 | goal |");
                System.out.println("|---|---|---|---|---|---|---|");
                row("fleet overview (latest sample of every host, status and alert counts)", apiOverview, sqlOverview);
                row("24 h host chart, 5 min buckets (288 points)", apiChart, sqlChart);
            }
        }
    }

    private static void row(String what, double[] api, double[] sql) {
        System.out.printf("| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %+.1f ms | <= +5 ms |%n", what, api[0], api[1],
                sql[0], sql[1], api[1] - sql[1]);
    }

    /** The chart endpoint's SQL with its parameters written in, for the direct baseline (its columns: the catalog's). */
    static final class Rows {
        static String chartSql() {
            return "SELECT date_bin(CAST('300 seconds' AS interval), collected_at, TIMESTAMPTZ '1970-01-01') AS"
                    + " collected_at, " + io.fleetwatch.messages.MetricCatalog.DEFAULT.all().stream()
                    .map(m -> (m.rollup() == io.fleetwatch.messages.Metric.Rollup.MEAN ? "avg(" : "max(") + m.name()
                            + ")").collect(java.util.stream.Collectors.joining(", "))
                    + " FROM metrics WHERE system_id = 500 AND collected_at >= ? AND collected_at < ?"
                    + " GROUP BY 1 ORDER BY 1 LIMIT 10000";
        }
    }

    private static void seed(HikariDataSource ds, int hosts, int perHost) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO systems (id, hostname, ip_address, status, last_seen) SELECT g, 'host-' || g,"
                    + " ('198.18.' || (g / 256) || '.' || (g % 256))::inet,"
                    + " CASE WHEN g % 50 = 0 THEN 'down' ELSE 'up' END, now() FROM generate_series(1, " + hosts + ") g");
            st.execute("ALTER TABLE metrics DISABLE TRIGGER USER"); // seeding history, not live samples: no alerting
            for (int from = 1; from <= hosts; from += 50) {
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, "
                        + String.join(", ", CatalogValues.sqlColumns()) + ")"
                        + " SELECT s, date_trunc('second', now()) - g * interval '10 seconds', (s * 7 + g) % 100, 40, 50,"
                        + " 1.5, 2.5, NULL, 100000 - g, 1, " + CatalogValues.sqlValues() + " FROM generate_series(" + from + ", "
                        + Math.min(hosts, from + 49) + ") s, generate_series(0, " + (perHost - 1) + ") g");
            }
            st.execute("ALTER TABLE metrics ENABLE TRIGGER USER");
            st.execute("INSERT INTO alerts (system_id, alert_type, severity, occurred_at) SELECT g, 'cpu_high', 'warning',"
                    + " now() FROM generate_series(1, " + hosts + ", 10) g");
            st.execute("ANALYZE");
        }
    }

    private static double[] timeHttp(HttpClient http, String url, int n) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN).build();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n + n / 5; i++) {
            long t = System.nanoTime();
            HttpResponse<byte[]> res = http.send(r, HttpResponse.BodyHandlers.ofByteArray());
            if (res.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + res.statusCode());
            }
            if (i >= n / 5) { // the first fifth warms up the JIT and the caches
                ms.add((System.nanoTime() - t) / 1e6);
            }
        }
        return percentiles(ms);
    }

    private static double[] timeSql(HikariDataSource ds, String sql, Object[] params, int n) throws Exception {
        List<Double> ms = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            if (params != null) {
                ps.setObject(1, java.time.OffsetDateTime.ofInstant((Instant) params[0], java.time.ZoneOffset.UTC));
                ps.setObject(2, java.time.OffsetDateTime.ofInstant((Instant) params[1], java.time.ZoneOffset.UTC));
            }
            for (int i = 0; i < n + n / 5; i++) {
                long t = System.nanoTime();
                try (ResultSet rs = ps.executeQuery()) {
                    int cols = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int k = 1; k <= cols; k++) {
                            rs.getObject(k); // read every value, as the API does
                        }
                    }
                }
                if (i >= n / 5) {
                    ms.add((System.nanoTime() - t) / 1e6);
                }
            }
        }
        return percentiles(ms);
    }

    private static double[] percentiles(List<Double> ms) {
        Collections.sort(ms);
        return new double[] {IngestBench.pct(ms, 0.50), IngestBench.pct(ms, 0.99)};
    }
}
