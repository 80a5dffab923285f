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
 * still referenced stays. Periods come from fleetwatch_meta, else the defaults.
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
}
