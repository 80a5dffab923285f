package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No-data detection on the real database (both engines): a system that stops sending goes down with a {@code no_data}
 * alert after three of its intervals, and comes back up with the alert resolved when its samples return; retired
 * systems, systems in a maintenance window and systems that never sent samples stay quiet; a department may allow more.
 */
class NoDataIT {
    private static TestDatabase db;
    private static HikariDataSource ds;
    // recent: TimescaleDB's retention job drops chunks older than the retention
    private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(java.time.Duration.ofHours(2));

    @BeforeAll
    static void migrate() {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "no-data-it");
        new Migrator(ds, "auto").migrate();
    }

    @AfterAll
    static void drop() {
        ds.close();
        db.close();
    }

    private static long system(String name, Integer dept) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO systems (hostname, dept_id, status) VALUES (?, ?, 'up') RETURNING id")) {
            ps.setString(1, name);
            ps.setObject(2, dept);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Samples every 10 s from {@code fromSecond} to {@code toSecond} after T0. */
    private static void samples(long system, int fromSecond, int toSecond) throws Exception {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                        + " VALUES (?, ?, 5, 10, 10, 0, 0, 1, 0)")) {
            for (int s = fromSecond; s <= toSecond; s += 10) {
                ps.setLong(1, system);
                ps.setObject(2, OffsetDateTime.ofInstant(T0.plusSeconds(s), ZoneOffset.UTC));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static Maintenance.Result runAt(int second) throws Exception {
        return new Maintenance(ds, Clock.fixed(T0.plusSeconds(second), ZoneOffset.UTC), 7).run();
    }

    private static String status(long system) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT status FROM systems WHERE id = " + system)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The no_data events of a system that went to the outbox (so the relay publishes them), as state@seconds-after-T0. */
    private static List<String> events(long system) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT e.state, e.severity, e.occurred_at, e.value, e.threshold FROM alert_events e"
                        + " JOIN alert_outbox o ON o.event_id = e.id WHERE e.system_id = ? AND e.alert_type = 'no_data'"
                        + " ORDER BY e.id")) {
            ps.setLong(1, system);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long at = rs.getObject(3, OffsetDateTime.class).toEpochSecond() - T0.getEpochSecond();
                    out.add(rs.getString(1) + "/" + rs.getString(2) + "@" + at
                            + (rs.getObject(4) == null ? "" : " silent " + (int) rs.getDouble(4) + "s of " + (int) rs.getDouble(5) + "s"));
                }
            }
        }
        return out;
    }

    @Test
    void aSilentSystemGoesDownWithAnAlertAndComesBackWithItResolved() throws Exception {
        long quiet = system("switched-off", null);
        long busy = system("still-sending", null);
        long retired = system("retired", null);
        long planned = system("patching", null);
        long scanned = system("scan-only", null); // never sent a sample: nothing is expected of it
        samples(quiet, 0, 600);
        samples(busy, 0, 660);
        samples(retired, 0, 600);
        samples(planned, 0, 600);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE systems SET retired_at = now() WHERE id = " + retired);
            st.execute("INSERT INTO maintenance_windows (system_id, starts_at, ends_at, reason) VALUES (" + planned
                    + ", '" + T0 + "', '" + T0.plusSeconds(3600) + "', 'patching')");
        }

        runAt(625);
        assertThat(events(quiet)).as("two intervals of silence: not yet").isEmpty();
        assertThat(status(quiet)).isEqualTo("up");

        Maintenance.Result r = runAt(640);
        assertThat(r.noDataEvents()).isEqualTo(1);
        assertThat(events(quiet)).containsExactly("firing/warning@640 silent 40s of 30s");
        assertThat(status(quiet)).isEqualTo("down");
        assertThat(events(busy)).isEmpty();
        assertThat(status(busy)).isEqualTo("up");
        assertThat(events(retired)).as("retired on purpose").isEmpty();
        assertThat(status(retired)).isEqualTo("up");
        assertThat(events(planned)).as("in a maintenance window").isEmpty();
        assertThat(status(planned)).as("down all the same: that is what it is").isEqualTo("down");
        assertThat(events(scanned)).isEmpty();
        assertThat(status(scanned)).isEqualTo("up");

        runAt(700);
        assertThat(events(quiet)).as("once per silence").hasSize(1);

        samples(quiet, 900, 900);
        assertThat(runAt(905).noDataEvents()).isEqualTo(1);
        assertThat(events(quiet)).containsExactly("firing/warning@640 silent 40s of 30s", "resolved/warning@900");
        assertThat(status(quiet)).isEqualTo("up");
        samples(planned, 900, 900);
        assertThat(runAt(906).noDataEvents()).as("the planned one comes back without a word").isZero();
        assertThat(status(planned)).isEqualTo("up");
    }

    @Test
    void aDepartmentMayAllowMoreIntervalsAndRetiringASilentSystemResolvesItsAlert() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO departments (id, name, nodata_intervals) VALUES (41, 'night shift', 10)");
        }
        long patient = system("patient", 41);
        long leaving = system("leaving", null);
        samples(patient, 1000, 1600);
        samples(leaving, 1000, 1600);
        runAt(1650);
        assertThat(events(patient)).as("5 of 10 intervals").isEmpty();
        assertThat(events(leaving)).hasSize(1);
        runAt(1710);
        assertThat(events(patient)).containsExactly("firing/warning@1710 silent 110s of 100s");

        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("UPDATE systems SET retired_at = now() WHERE id = " + leaving);
        }
        runAt(1720);
        assertThat(events(leaving)).last().asString().startsWith("resolved/warning@1720");
        runAt(1800);
        assertThat(events(leaving)).as("retired: never again").hasSize(2);
    }
}
