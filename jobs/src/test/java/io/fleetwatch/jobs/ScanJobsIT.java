package io.fleetwatch.jobs;

import io.fleetwatch.scanner.Cidr;
import io.fleetwatch.scanner.ScanEvents;
import io.fleetwatch.settings.Settings;
import java.util.List;
import io.fleetwatch.transport.Transport;
import io.fleetwatch.transport.TransportKind;
import io.fleetwatch.transport.Transports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.Stores;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scan jobs of the long-running service (schedules, requests made through the API), against the real RabbitMQ and
 * PostgreSQL, on loopback only.
 */
class ScanJobsIT {

    @Test
    void aScheduleSweepsAgainAndAgainAsJobsAndPublishes() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put(ScanJobs.SCHEDULES_KEY, "127.0.0.1/32 dept=4 every=1s probes=tcp");
            try (HikariDataSource ds = setUp(env);
                 AutoCloseable s = jobs(env, ds).schedule(ScanJobs.schedules(env), ScanJobs.policy(env))) {
                Await.until(Duration.ofSeconds(30), "two scheduled scan jobs", () -> count(db, "SELECT count(*) FROM scans WHERE status ="
                        + " 'succeeded' AND requested_by = 'schedule' AND dept_id = 4 AND hosts_found = 1") >= 2);
            }
            assertThat(count(db, "SELECT count(*) FROM scan_logs l JOIN scans s ON s.id = l.scan_id"
                    + " WHERE l.message LIKE '1 address(es), % probe(s) sent, 1 live'")).as("a summary line per sweep (retries vary)")
                    .isGreaterThanOrEqualTo(2);
            try (var c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
                 var ch = c.createChannel()) {
                assertThat(ch.queueDeclarePassive("discovery_queue").getMessageCount()).as("one host per sweep")
                        .isGreaterThanOrEqualTo(2);
            }
        }
    }

    @Test
    void scansRequestedThroughTheApiAreClaimedCheckedAndSwept() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            try (HikariDataSource ds = setUp(env); var c = db.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO departments (id, name) VALUES (3, 'lab')");
                // what POST /api/scans writes: one inside the default policy (loopback), one outside it
                st.execute("INSERT INTO scans (id, dept_id, targets, status, requested_by) VALUES"
                        + " (101, 3, '127.0.0.1/32', 'pending', 'api:ops'), (102, 3, '203.0.113.0/24', 'pending', 'api:ops')");
            }
            try (HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(env), "test");
                 AutoCloseable s = jobs(env, ds).serveRequests(ScanJobs.policy(env), Duration.ofMillis(200))) {
                Await.until(Duration.ofSeconds(30), "both requests handled", () -> count(db,
                        "SELECT count(*) FROM scans WHERE status IN ('succeeded', 'failed')") == 2);
            }
            assertThat(count(db, "SELECT count(*) FROM scans WHERE id = 101 AND status = 'succeeded' AND hosts_found = 1"))
                    .isEqualTo(1);
            assertThat(count(db, "SELECT count(*) FROM scans WHERE id = 102 AND status = 'failed' AND error LIKE"
                    + " 'scan refused, nothing was sent: 203.0.113.0/24 is not inside any network%'")).isEqualTo(1);
            try (var c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
                 var ch = c.createChannel()) {
                assertThat(ch.queueDeclarePassive("discovery_queue").getMessageCount()).as("the one live host").isEqualTo(1);
            }
        }
    }

    @Test
    void onThePostgresTransportTheDiscoveriesWaitInTheQueueTable() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", db.jdbcUrl(), "QUEUE_TYPE", "postgres"));
            try (HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(env), "test")) {
                Migrator.fromEnv(ds, env).migrate();
                ScanJobs jobs = ScanJobs.on(new ScanStore(Stores.jdbi(ds)),
                        name -> Transports.open(Settings.fromEnv(env), () -> ds, name), Clock.systemUTC());
                try (Transport t = Transports.open(Settings.fromEnv(env), () -> ds, "test")) {
                    ScanJobs.Outcome o = jobs.submit(t, ScanJobs.scanner(ScanJobs.policy(env), List.of("tcp"), true,
                                    Clock.systemUTC()), new ScanLog(ScanEvents.NONE, Clock.systemUTC()),
                            new ScanJobs.Sweep(List.of(Cidr.parse("127.0.0.1/32")), List.of(), 1, false, 1), "test");
                    assertThat(o.result().hosts()).hasSize(1);
                    assertThat(t.kind()).isEqualTo(TransportKind.POSTGRES);
                    assertThat(t.depth("discovery_queue")).as("the one live host").isEqualTo(1);
                }
            }
        }
    }

    @Test
    void badSchedulesFailAtStartNamingTheKey() {
        assertThatThrownBy(() -> ScanJobs.schedules(Map.of(ScanJobs.SCHEDULES_KEY, "127.0.0.1/32 dept=1")))
                .hasMessage("FLEETWATCH_SCAN_SCHEDULES: schedule 1 ('127.0.0.1/32 dept=1'): every=… is required"
                        + " (e.g. every=15m)");
        assertThatThrownBy(() -> ScanJobs.schedules(Map.of(ScanJobs.SCHEDULES_KEY,
                "127.0.0.1/32 every=1m; 127.0.0.2/32 every=5x")))
                .hasMessage("FLEETWATCH_SCAN_SCHEDULES: schedule 2 ('127.0.0.2/32 every=5x'): duration '5x' must end in"
                        + " s, m or h");
        assertThatThrownBy(() -> ScanJobs.schedules(Map.of(ScanJobs.SCHEDULES_KEY, "198.51.100.0/24 every=1h")))
                .hasMessageStartingWith("FLEETWATCH_SCAN_SCHEDULES: 198.51.100.0/24 dept=1 every=3600s probes=arp,icmp,tcp"
                        + " profile=polite: scan refused, nothing was sent: 198.51.100.0/24 is not inside any network");
    }

    /** The queues declared and the schema migrated, as {@code queue-setup} and {@code db migrate} do. */
    private static HikariDataSource setUp(Map<String, String> env) throws Exception {
        try (var c = BrokerSettings.fromEnv(env).newConnection("test-setup")) {
            Topology.fromEnv(env).declare(c);
        }
        HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(env), "test");
        Migrator.fromEnv(ds, env).migrate();
        return ds;
    }

    private static ScanJobs jobs(Map<String, String> env, HikariDataSource ds) {
        return new ScanJobs(new ScanStore(Stores.jdbi(ds)), name -> BrokerSettings.fromEnv(env).newConnection(name), Clock.systemUTC());
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
