package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The hysteresis trigger on the real PostgreSQL: sequences of values in, exactly the expected events out. */
class HysteresisIT {
    private static TestDatabase db;
    private static HikariDataSource ds;
    // Recent: on TimescaleDB, samples older than the retention sit in chunks its background job drops.
    private static final Instant T0 = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.HOURS).minus(
            java.time.Duration.ofHours(6));
    private long system;

    @BeforeAll
    static void migrate() {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "hysteresis-it");
        new Migrator(ds, "auto").migrate();
    }

    @AfterAll
    static void drop() {
        ds.close();
        db.close();
    }

    @BeforeEach
    void newSystem() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("INSERT INTO systems (hostname) VALUES ('h') RETURNING id")) {
            rs.next();
            system = rs.getLong(1);
        }
    }

    /** Inserts one sample per value (cpu), 10 s apart, each in its own statement; returns the cpu_high events. */
    private List<String> cpu(int startSecond, double... values) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                        + " VALUES (?, ?, ?, 10, 10, 0, 0, 1, 0)")) {
            for (int i = 0; i < values.length; i++) {
                ps.setLong(1, system);
                ps.setObject(2, java.time.OffsetDateTime.ofInstant(T0.plusSeconds(startSecond + 10L * i),
                        java.time.ZoneOffset.UTC));
                ps.setDouble(3, values[i]);
                ps.executeUpdate();
            }
        }
        return events();
    }

    private List<String> events() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT e.state, e.value FROM alert_events e JOIN alert_outbox o ON o.event_id = e.id"
                        + " WHERE e.system_id = ? AND e.alert_type = 'cpu_high' ORDER BY e.id")) {
            ps.setLong(1, system);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + "@" + (int) rs.getDouble(2));
                }
            }
        }
        return out;
    }

    @Test
    void firesAfterMinSamplesInARowAndClearsBelowClearAt() throws Exception {
        // default rule cpu_high: fire_at 90, clear_at 80, min_samples 3
        assertThat(cpu(0, 95, 95, 50, 95, 95)).isEmpty();          // interrupted runs never fire
        assertThat(cpu(100, 95)).containsExactly("firing@95");     // third in a row (with the two before)
        assertThat(cpu(200, 99, 97, 85, 89, 91)).containsExactly("firing@95"); // above clear_at: stays firing
        assertThat(cpu(300, 79)).containsExactly("firing@95", "resolved@79");
        assertThat(cpu(400, 85, 85, 85)).containsExactly("firing@95", "resolved@79"); // 85 < fire_at
    }

    @Test
    void quietSamplesTakeTheFastPathAndLeaveNoState() throws Exception {
        assertThat(cpu(0, 10, 20, 30)).isEmpty();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM alert_state WHERE system_id = " + system)) {
            rs.next();
            assertThat(rs.getInt(1)).as("no per-rule state for a host that never came near a threshold").isZero();
        }
    }

    @Test
    void anHourAt95PercentIsOneAlertNot360() throws Exception {
        double[] hour = new double[360];
        java.util.Arrays.fill(hour, 95);
        assertThat(cpu(0, hour)).containsExactly("firing@95");
    }

    @Test
    void lateSamplesDoNotRewindTheStateMachine() throws Exception {
        cpu(1000, 95, 95, 95);
        assertThat(cpu(0, 10)).containsExactly("firing@95"); // an old sample below clear_at arrives late
        assertThat(cpu(2000, 10)).containsExactly("firing@95", "resolved@10");
    }

    @Test
    void lateHotSamplesForAHostWithoutStateDoNotFire() throws Exception {
        assertThat(cpu(100, 10, 10, 10)).isEmpty(); // quiet: the fast path leaves no state behind
        assertThat(cpu(0, 95, 95, 95)).as("three hot samples, all older than what the host reported").isEmpty();
        assertThat(cpu(130, 95, 95, 95)).containsExactly("firing@95");
    }

    @Test
    void maintenanceWindowSuppressesFiring() throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO maintenance_windows (system_id, starts_at, ends_at, reason) VALUES (?, ?, ?, 'patching')")) {
            ps.setLong(1, system);
            ps.setObject(2, java.time.OffsetDateTime.ofInstant(T0, java.time.ZoneOffset.UTC));
            ps.setObject(3, java.time.OffsetDateTime.ofInstant(T0.plusSeconds(600), java.time.ZoneOffset.UTC));
            ps.executeUpdate();
        }
        assertThat(cpu(0, 95, 95, 95, 95)).isEmpty();
        assertThat(cpu(600, 95)).containsExactly("firing@95"); // window over, still hot: fires at once
    }

    @Test
    void departmentOverrideReplacesTheGlobalRule() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name) VALUES (77, 'render farm')");
            st.execute("UPDATE systems SET dept_id = 77 WHERE id = " + system);
            st.execute("INSERT INTO alert_rules (metric, alert_type, dept_id, fire_at, clear_at, min_samples, severity)"
                    + " VALUES ('cpu_percent', 'cpu_high', 77, 99, 95, 1, 'warning')");
        }
        assertThat(cpu(0, 95, 95, 95, 95)).isEmpty();   // 95 is normal for the render farm
        assertThat(cpu(100, 99.5)).containsExactly("firing@99");
    }

    @Test
    void oneNotifyPerStatementNotPerRow() throws Exception {
        try (Connection listen = ds.getConnection(); Statement ls = listen.createStatement()) {
            ls.execute("LISTEN fleetwatch_alerts");
            // 5 systems crossing in one INSERT statement: 5 events, one notification
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO alert_rules (metric, alert_type, fire_at, clear_at, min_samples, severity)"
                        + " VALUES ('ram_percent', 'ram_spike', 50, 40, 1, 'critical')");
                st.execute("INSERT INTO systems (hostname) SELECT 'bulk' || g FROM generate_series(1, 5) g");
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                        + " SELECT id, now(), 1, 60, 1, 0, 0, 1, 0 FROM systems WHERE hostname LIKE 'bulk%'");
            }
            ls.execute("SELECT 1");
            PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(2_000);
            assertThat(got).hasSize(1);
            assertThat(got[0].getName()).isEqualTo("fleetwatch_alerts");
            assertThat(got[0].getParameter()).isEqualTo("5");
        }
    }

    /**
     * Four consumers at once, each inserting multi-host batches (as the metrics sink does) for its own 10 hosts, over
     * a day boundary (a new chunk or partition created while the others insert): every host ends with exactly the
     * events the same values give one at a time, and nothing deadlocks.
     */
    @Test
    void concurrentConsumersGiveEveryHostTheEventsOfOneAtATime() throws Exception {
        double[] values = {95, 95, 95, 85, 70, 10, 10, 96, 97, 98, 50, 10, 10, 10, 10, 91, 92, 93, 94, 79};
        List<String> expected = List.of("firing@95", "resolved@70", "firing@98", "resolved@50", "firing@93",
                "resolved@79");
        int consumers = 4;
        int hostsEach = 10;
        List<Long> hosts = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("INSERT INTO systems (hostname) SELECT 'conc' || g FROM generate_series(1, "
                     + consumers * hostsEach + ") g RETURNING id")) {
            while (rs.next()) {
                hosts.add(rs.getLong(1));
            }
        }
        Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(java.time.Duration.ofHours(2));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(consumers);
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int k = 0; k < consumers; k++) {
            List<Long> mine = hosts.subList(k * hostsEach, (k + 1) * hostsEach);
            done.add(pool.submit(() -> {
                try (Connection c = ds.getConnection()) {
                    for (int b = 0; b < values.length; b += 4) { // batches of 4 samples of each of its hosts
                        java.util.StringJoiner rows = new java.util.StringJoiner(", ");
                        for (long h : mine) {
                            for (int i = b; i < b + 4; i++) {
                                rows.add("(" + h + ", '" + start.plusSeconds(600L * i) + "', " + values[i]
                                        + ", 10, 10, 0, 0, 1, 0)");
                            }
                        }
                        try (Statement st = c.createStatement()) {
                            st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent,"
                                    + " disk_percent, network_sent_mbps, network_recv_mbps, uptime_seconds,"
                                    + " logged_in_users) VALUES " + rows);
                        }
                    }
                }
                return null;
            }));
        }
        for (var f : done) {
            f.get(2, java.util.concurrent.TimeUnit.MINUTES);
        }
        pool.shutdown();
        for (long h : hosts) {
            system = h;
            assertThat(events()).as("host " + h).isEqualTo(expected);
        }
    }

    @Test
    void identityChangesAreKeptAsHistory() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE systems SET ip_address = '198.18.0.5' WHERE id = " + system);
            st.execute("UPDATE systems SET ip_address = '198.18.0.9' WHERE id = " + system);
            st.execute("UPDATE systems SET status = 'down' WHERE id = " + system); // not identity: no row
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM system_identity_history WHERE system_id = " + system)) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(3); // insert + two IP changes
            }
        }
    }
}
