package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.sql.ReadReplica;
import io.fleetwatch.sql.ReadReplicaSettings;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.testing.TestReplica;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The API on a real streaming replica of the local primary ({@link TestReplica}: pg_basebackup, its own port on
 * 127.0.0.1): the read-only endpoints are served by the replica; a replica further behind than the bound, or stopped,
 * leaves them to the primary, and they return to the replica when it is back. Prints what it measured (the figures in
 * docs/reliability.md).
 */
class ReplicaReadsIT {
    static final String TOKEN = "replica-it-token-0123456789abcdef";
    static final Duration MAX_LAG = Duration.ofSeconds(5);
    /** A request's answer, while the replica goes away: never slower than this. */
    static final Duration SLOWEST_ANSWER = Duration.ofSeconds(2);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final ObjectMapper JSON = new ObjectMapper();

    record Answer(long atNanos, int status, long millis) {}

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void readsComeFromTheReplicaFallBackToThePrimaryAndReturn() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())),
                     "replica-it")) {
            new Migrator(ds, "auto").migrate();
            sql(ds, "INSERT INTO systems (id, hostname, ip_address, status) SELECT g, 'host-' || lpad(g::text, 2, '0'),"
                    + " ('198.18.0.' || g)::inet, 'up' FROM generate_series(1, 20) g");
            try (TestReplica replica = TestReplica.start();
                 ReadReplica reads = ReadReplica.start(ds, ReadReplicaSettings.fromEnv(Map.of(
                         ReadReplicaSettings.ENV_URL, replica.jdbcUrl(db.jdbcUrl()),
                         ReadReplicaSettings.ENV_MAX_LAG, Long.toString(MAX_LAG.toSeconds()))).orElseThrow(),
                         "replica-it", Clock.systemUTC());
                 ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN)), ds, reads,
                         Clock.systemUTC(), null)) {
                String base = "http://127.0.0.1:" + api.port();
                Await.equal(Duration.ofSeconds(15), "reads from the replica", "replica", () -> readsFrom(base));

                // a write on the primary reaches the API's reads through the replica
                long t = System.nanoTime();
                sql(ds, "INSERT INTO systems (id, hostname, ip_address, status) VALUES (101, 'fresh-host', '198.18.1.1', 'up')");
                Await.equal(Duration.ofSeconds(10), "fresh-host listed", 1L, () -> total(base, "fresh-host"));
                report("a row written on the primary listed by the API (through the replica)", t);

                // ... and it was the replica that answered: its own record of the API's connections says so
                String replicaAdmin = replica.superuserJdbcUrl(db.name());
                assertThat(lastQueries(replicaAdmin, "replica-it-replica")).as("the API's connections on the replica")
                        .anySatisfy(q -> assertThat(q).contains("FROM systems s"));
                long fromReplica = reads.fromReplica();
                assertThat(fromReplica).isPositive();
                assertThat(get(base + "/metrics").body()).contains("fleetwatch_db_replica_serving 1.0")
                        .contains("fleetwatch_db_read_connections_total{server=\"replica\"}");

                // replay paused: the replica serves what it had (the primary has more), until it is beyond the bound
                // lag counts from the pause (the shared primary writes WAL of its own), to within the 1 s check
                t = System.nanoTime();
                sql(replicaAdmin, "SELECT pg_wal_replay_pause()");
                sql(ds, "INSERT INTO systems (id, hostname, ip_address, status) VALUES (102, 'late-host', '198.18.1.2', 'up')");
                assertThat(total(base, "late-host")).as("read from the paused replica").isZero();
                Await.equal(MAX_LAG.plusSeconds(10), "reads from the primary (replica lagging)", "primary",
                        () -> readsFrom(base));
                long lagFallback = report("replay paused: reads moved to the primary (bound " + MAX_LAG.toSeconds()
                        + " s)", t);
                assertThat(lagFallback).isGreaterThanOrEqualTo(MAX_LAG.toMillis() - 1000);
                assertThat(replicaCheck(base).get("status").asText()).isEqualTo("lagging");
                assertThat(total(base, "late-host")).as("read from the primary").isEqualTo(1L);
                sql(replicaAdmin, "SELECT pg_wal_replay_resume()");
                t = System.nanoTime();
                Await.equal(Duration.ofSeconds(10), "reads from the replica again", "replica", () -> readsFrom(base));
                report("replay resumed: reads back on the replica", t);

                // the replica stops: requests keep being answered, from the primary, never slowly
                ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
                AtomicBoolean polling = new AtomicBoolean(true);
                Thread poller = new Thread(() -> {
                    while (polling.get()) {
                        long a = System.nanoTime();
                        int status;
                        try {
                            status = HTTP.send(request(base + "/api/systems?limit=5").timeout(Duration.ofSeconds(10))
                                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (Exception e) {
                            status = -1;
                        }
                        answers.add(new Answer(a, status, (System.nanoTime() - a) / 1_000_000));
                        sleep(50);
                    }
                }, "replica-it-poller");
                poller.start();
                sleep(1000);
                long stopAt = System.nanoTime();
                replica.stop();
                report("pg_ctl stop -m fast", stopAt);
                Await.equal(Duration.ofSeconds(10), "reads from the primary (replica down)", "primary",
                        () -> readsFrom(base));
                long downFallback = report("replica stopped: /healthz says down, reads from the primary", stopAt);
                long fellBackAt = System.nanoTime();
                sleep(3000);
                polling.set(false);
                poller.join(15_000);
                JsonNode check = replicaCheck(base);
                assertThat(check.get("status").asText()).isEqualTo("down");
                assertThat(get(base + "/healthz").statusCode()).as("a replica down is no outage").isEqualTo(200);
                List<Answer> during = answers.stream().filter(a -> a.atNanos() >= stopAt).toList();
                long failed = during.stream().filter(a -> a.status() != 200).count();
                long slowest = during.stream().mapToLong(Answer::millis).max().orElse(0);
                System.out.printf("[replica-it] while the replica stopped: %d requests, %d failed, slowest %d ms;"
                        + " fallback %d ms after the stop began%n", during.size(), failed, slowest, downFallback);
                assertThat(during.stream().filter(a -> a.atNanos() >= fellBackAt)).as("requests after the fallback")
                        .isNotEmpty();
                assertThat(failed).as("requests that failed (a cut connection's read is asked again of the primary)")
                        .isZero();
                assertThat(slowest).isLessThan(SLOWEST_ANSWER.toMillis());
                assertThat(total(base, "late-host")).isEqualTo(1L);

                // back: reads return to the replica
                long startAt = System.nanoTime();
                replica.restart();
                long streamingAt = report("replica started again and streaming", startAt);
                Await.equal(Duration.ofSeconds(15), "reads from the replica after its restart", "replica",
                        () -> readsFrom(base));
                long back = report("replica back: reads from it again", startAt);
                System.out.printf("[replica-it] return: %d ms after it streamed again%n", back - streamingAt);
                long before = reads.fromReplica();
                assertThat(total(base, "host-")).isEqualTo(20L);
                assertThat(reads.fromReplica()).isGreaterThan(before);
            }
        }
    }

    private static String readsFrom(String base) throws Exception {
        return replicaCheck(base).get("reads_from").asText();
    }

    private static JsonNode replicaCheck(String base) throws Exception {
        return JSON.readTree(get(base + "/healthz").body()).get("checks").get("replica");
    }

    private static long total(String base, String search) throws Exception {
        HttpResponse<String> r = get(base + "/api/systems?search=" + search);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Long.parseLong(r.headers().firstValue("X-Total-Count").orElseThrow());
    }

    private static HttpRequest.Builder request(String url) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(request(url).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The last query of each connection that {@code application} has to that server's database. */
    private static List<String> lastQueries(String url, String application) throws Exception {
        try (Connection c = DriverManager.getConnection(url); var st = c.prepareStatement("SELECT query FROM"
                + " pg_stat_activity WHERE datname = current_database() AND application_name = ?")) {
            st.setString(1, application);
            List<String> out = new java.util.ArrayList<>();
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }

    private static void sql(HikariDataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void sql(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long report(String what, long sinceNanos) {
        long ms = (System.nanoTime() - sinceNanos) / 1_000_000;
        System.out.printf("[replica-it] %s: %d ms%n", what, ms);
        return ms;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
