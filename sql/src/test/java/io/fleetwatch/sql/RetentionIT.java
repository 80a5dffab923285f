package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Retention of what grows besides metrics, on the real database (both engines): old finished scans with their logs,
 * old resolved incidents with their notifications and events, sent outbox rows; what is young, open, unsent or
 * still referenced stays. Periods come from fleetwatch_meta, else the defaults; the maintenance job writes the
 * settings' periods ({@code database.retention.*}) there.
 */
class RetentionIT {

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void oldFinishedThingsGoAndEverythingElseStays() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "retention-it")) {
            new Migrator(ds, "auto").migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO fleetwatch_meta (key, value) VALUES ('retention_scans_days', '30')");
                // scans: 1 old finished (goes), 2 old but still some system's last scan (stays), 3 old running (stays), 4 young
                st.execute("INSERT INTO scans (id, status, created_at, finished_at) VALUES"
                        + " (1, 'succeeded', now() - interval '40 days', now() - interval '40 days'),"
                        + " (2, 'failed', now() - interval '40 days', now() - interval '40 days'),"
                        + " (3, 'running', now() - interval '40 days', NULL),"
                        + " (4, 'succeeded', now() - interval '20 days', now() - interval '20 days')");
                st.execute("INSERT INTO scan_logs (scan_id, seq, at, level, message) VALUES (1, 1, now(), 'info', 'x'), (4, 1, now(), 'info', 'y')");
                st.execute("INSERT INTO systems (id, hostname, last_scan_id) VALUES (500, 'h', 2)");
                // incidents: old resolved (goes, with its notification), old open (stays), recently resolved (stays)
                st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at, resolved_at) VALUES"
                        + " (1, 500, 'cpu_high', 'warning', now() - interval '400 days', now() - interval '399 days'),"
                        + " (2, 500, 'ram_high', 'warning', now() - interval '400 days', NULL),"
                        + " (3, 500, 'disk_high', 'warning', now() - interval '10 days', now() - interval '9 days')");
                st.execute("INSERT INTO notifications (alert_row, event_state, channel, status, created_at) VALUES"
                        + " (1, 'firing', 'webhook', 'sent', now() - interval '400 days'),"
                        + " (3, 'firing', 'webhook', 'sent', now() - interval '100 days'),"
                        + " (3, 'resolved', 'webhook', 'pending', now() - interval '100 days')");
                // events: an old published one (goes with its outbox row), an old unsent one (stays), a young sent one
                st.execute("INSERT INTO alert_events (id, system_id, alert_type, severity, state, occurred_at) OVERRIDING SYSTEM VALUE VALUES"
                        + " (1, 500, 'cpu_high', 'warning', 'firing', now() - interval '400 days'),"
                        + " (2, 500, 'cpu_high', 'warning', 'firing', now() - interval '400 days'),"
                        + " (3, 500, 'cpu_high', 'warning', 'resolved', now() - interval '1 day')");
                st.execute("INSERT INTO alert_outbox (event_id, sent_at) VALUES (1, now() - interval '399 days'), (2, NULL),"
                        + " (3, now() - interval '1 day')");
            }

            Maintenance.Result r = new Maintenance(ds, Clock.fixed(Instant.now(), ZoneOffset.UTC), 7).run();
            assertThat(r.skipped()).isFalse();

            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM scans")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("scans kept (30 days from fleetwatch_meta)").isEqualTo("2,3,4");
                }
                assertThat(count(st, "SELECT count(*) FROM scan_logs")).as("logs go with their scan").isEqualTo(1);
                try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM alerts")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("incidents kept (365 days)").isEqualTo("2,3");
                }
                assertThat(count(st, "SELECT count(*) FROM notifications")).as("sent and 100 days old: past 90").isEqualTo(1);
                try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM alert_events")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("an unsent event stays whatever its age").isEqualTo("2,3");
                }
                try (ResultSet rs = st.executeQuery("SELECT string_agg(event_id::text, ',' ORDER BY event_id) FROM alert_outbox")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("2,3");
                }
            }
            // scan 1, incident 1, event 1 (its outbox row with it), the 100-day-old sent notification; cascades not counted
            assertThat(r.expired()).isEqualTo(4);
        }
    }

    @Test
    void theSettingsPeriodsAreWrittenForTheDatabaseAndApplied() throws Exception {
        Retention fromKeys = Retention.fromEnv(Map.of("FLEETWATCH_RETENTION_SCANS_DAYS", "10",
                "FLEETWATCH_RETENTION_ALERTS_DAYS", "30", "FLEETWATCH_RETENTION_NOTIFICATIONS_DAYS", "5",
                "FLEETWATCH_RETENTION_OUTBOX_DAYS", "2"));
        assertThat(Retention.defaults()).as("the table's defaults: as V11's").isEqualTo(new Retention(90, 365, 90, 7));
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "retention-keys-it")) {
            new Migrator(ds, "auto").migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                // a period left in fleetwatch_meta by hand is replaced by the setting
                st.execute("INSERT INTO fleetwatch_meta (key, value) VALUES ('retention_scans_days', '300')");
                // scans 15 days old (past 10: go, with their logs) and 5 days old (stay, with theirs)
                st.execute("INSERT INTO scans (id, status, created_at, finished_at) VALUES"
                        + " (1, 'succeeded', now() - interval '15 days', now() - interval '15 days'),"
                        + " (2, 'failed', now() - interval '15 days', now() - interval '15 days'),"
                        + " (3, 'succeeded', now() - interval '5 days', now() - interval '5 days')");
                st.execute("INSERT INTO scan_logs (scan_id, seq, at, level, message) VALUES (1, 1, now(), 'info', 'a'),"
                        + " (1, 2, now(), 'info', 'b'), (2, 1, now(), 'info', 'c'), (3, 1, now(), 'info', 'd')");
                st.execute("INSERT INTO systems (id, hostname) VALUES (600, 'k')");
                st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at, resolved_at) VALUES"
                        + " (1, 600, 'cpu_high', 'warning', now() - interval '40 days', now() - interval '40 days'),"
                        + " (2, 600, 'ram_high', 'warning', now() - interval '20 days', now() - interval '20 days')");
                st.execute("INSERT INTO notifications (alert_row, event_state, channel, status, created_at) VALUES"
                        + " (2, 'firing', 'webhook', 'sent', now() - interval '6 days'),"
                        + " (2, 'resolved', 'webhook', 'sent', now() - interval '4 days')");
                st.execute("INSERT INTO alert_events (id, system_id, alert_type, severity, state, occurred_at) OVERRIDING SYSTEM VALUE VALUES"
                        + " (1, 600, 'cpu_high', 'warning', 'resolved', now() - interval '3 days'),"
                        + " (2, 600, 'cpu_high', 'warning', 'firing', now() - interval '1 day')");
                st.execute("INSERT INTO alert_outbox (event_id, sent_at) VALUES (1, now() - interval '3 days'),"
                        + " (2, now() - interval '1 day')");
            }

            Maintenance.Result r = new Maintenance(ds, Clock.fixed(Instant.now(), ZoneOffset.UTC), 7, fromKeys).run();
            assertThat(r.skipped()).isFalse();

            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT string_agg(key || '=' || value, ',' ORDER BY key)"
                        + " FROM fleetwatch_meta WHERE key LIKE 'retention\\_%'")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the settings, where fw_apply_retention reads them")
                            .isEqualTo("retention_alerts_days=30,retention_notifications_days=5,retention_outbox_days=2,"
                                    + "retention_scans_days=10");
                }
                try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM scans")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("scans kept (10 days)").isEqualTo("3");
                }
                try (ResultSet rs = st.executeQuery("SELECT string_agg(scan_id || '/' || seq, ',' ORDER BY scan_id, seq)"
                        + " FROM scan_logs")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("the logs went with their scans, the kept scan's stayed").isEqualTo("3/1");
                }
                try (ResultSet rs = st.executeQuery("SELECT string_agg(id::text, ',' ORDER BY id) FROM alerts")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("incidents kept (30 days)").isEqualTo("2");
                }
                assertThat(count(st, "SELECT count(*) FROM notifications")).as("sent 6 days ago: past 5").isEqualTo(1);
                try (ResultSet rs = st.executeQuery("SELECT string_agg(event_id::text, ',' ORDER BY event_id) FROM alert_outbox")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("published 3 days ago: past 2").isEqualTo("2");
                }
            }

            // a second run with the same settings writes nothing and deletes nothing more
            Maintenance.Result again = new Maintenance(ds, Clock.fixed(Instant.now(), ZoneOffset.UTC), 7, fromKeys).run();
            assertThat(again.expired()).isZero();
        }
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Retention.fromEnv(Map.of(
                "FLEETWATCH_RETENTION_OUTBOX_DAYS", "0")))).hasMessageContaining("FLEETWATCH_RETENTION_OUTBOX_DAYS");
    }
}
