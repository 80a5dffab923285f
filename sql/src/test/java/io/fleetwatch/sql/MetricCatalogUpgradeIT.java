package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V17 on a database that already holds samples (both engines): old rows keep NULL in the new columns, the rebuilt
 * rollups still hold the old buckets (on TimescaleDB with the old chunks compressed first), and a new sample with the
 * new metrics is stored and rolled up.
 */
class MetricCatalogUpgradeIT {
    @Test
    void v17KeepsTheSamplesAndTheRollupsOfAnExistingDatabase() throws Exception {
        try (TestDatabase tdb = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", tdb.jdbcUrl())),
                     "catalog-upgrade-it")) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration")
                    .placeholders(Map.of(MetricsStorage.PLACEHOLDER, "auto",
                            db.migration.V4__Metrics_lifecycle.RETENTION_PLACEHOLDER, "90"))
                    .target("13").load().migrate();
            boolean timescale;
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                timescale = MetricsStorage.TIMESCALEDB.equals(MetricsStorage.recorded(c));
                st.execute("INSERT INTO systems (id, hostname) VALUES (1, 'old')");
                // 10 days ago, an hour of samples every minute: a closed chunk (compressed on TimescaleDB)
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) SELECT 1,"
                        + " date_bin('1 hour', now() - interval '10 days', timestamptz 'epoch') + g * interval '1 minute',"
                        + " g, 50, 60, 1, 2, 1000 + g, 1 FROM generate_series(0, 59) g");
                if (timescale) {
                    st.execute("CALL refresh_continuous_aggregate('metrics_5m', NULL, NULL)");
                    st.execute("SELECT compress_chunk(c) FROM show_chunks('metrics') c");
                } else {
                    st.execute("SELECT fw_refresh_metrics_5m(now())");
                }
            }
            new Migrator(ds, "auto").migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                assertThat(one(st, "SELECT count(*) FROM metrics WHERE load_avg_1 IS NULL AND process_count IS NULL"))
                        .as("old rows keep NULL").isEqualTo("60");
                assertThat(one(st, "SELECT count(*) || '|' || sum(samples) || '|' || round(avg(cpu_percent)::numeric, 1)"
                        + " FROM metrics_5m WHERE system_id = 1")).as("the old buckets, rebuilt").isEqualTo("12|60|29.5");
                assertThat(one(st, "SELECT sum(samples) FROM metrics_1h WHERE system_id = 1")).isEqualTo("60");
                st.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users, load_avg_1,"
                        + " process_count) VALUES (1, now(), 1, 1, 1, 0, 0, 5, 0, 0.75, 321)");
                assertThat(one(st, "SELECT load_avg_1 || '|' || process_count FROM metrics_5m WHERE system_id = 1"
                        + " ORDER BY bucket DESC LIMIT 1")).isEqualTo("0.75|321");
            }
        }
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
