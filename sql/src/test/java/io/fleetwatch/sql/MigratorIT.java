package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

/** Against the real local PostgreSQL (which has no TimescaleDB package): the plain-table path. */
class MigratorIT {

    @Test
    void migrateTwiceThenStatusShowsPlainPostgresqlStorage() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "it")) {
            Migrator m = new Migrator(ds, "auto");
            int pending = m.pending();
            assertThat(pending).as("V1 to V6 and V8 at least").isGreaterThanOrEqualTo(7);
            List<String> applied = m.migrate();
            assertThat(applied).hasSize(pending).anySatisfy(v -> assertThat(v).contains("Contract bounds"));
            assertThat(m.migrate()).isEmpty();
            assertThat(m.status()).last().isEqualTo("metrics storage: postgresql");
            assertThat(m.status().get(0)).contains("base tables").contains("Success");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM alert_rules")) {
                rs.next();
                assertThat(rs.getInt(1)).isPositive();
            }
        }
    }

    @Test
    void requireFailsClearlyWhenTimescaleDbIsMissing() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "it")) {
            assertThatThrownBy(() -> new Migrator(ds, "require").migrate())
                    .isInstanceOf(FlywayException.class)
                    .hasStackTraceContaining("timescaledb=require but the timescaledb extension is not installed");
        }
    }
}
