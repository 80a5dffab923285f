package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.testing.TestDatabase.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Migrations on whichever engine the run gives, and the storage switch on each engine: on a server that has
 * TimescaleDB's files but does not preload the library (the state a package install leaves before the preload is
 * configured), {@code CREATE EXTENSION} would end the session with a FATAL; the switch must look first.
 */
class MigratorIT {

    private static HikariDataSource pool(TestDatabase db) {
        return Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "it");
    }

    @Test
    void migrateTwiceThenStatusShowsTheStorageThisServerSupports() throws Exception {
        try (TestDatabase db = TestDatabase.create(); HikariDataSource ds = pool(db)) {
            boolean timescale;
            try (Connection c = ds.getConnection()) {
                timescale = MetricsStorage.detect(c).usable();
            }
            Migrator m = new Migrator(ds, "auto");
            int pending = m.pending();
            assertThat(pending).isGreaterThanOrEqualTo(7);
            List<String> applied = m.migrate();
            assertThat(applied).hasSize(pending);
            assertThat(m.migrate()).isEmpty();
            assertThat(m.status()).last().isEqualTo("metrics storage: " + (timescale ? "timescaledb" : "postgresql"));
            assertThat(m.status().get(0)).contains("base tables").contains("Success");
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM alert_rules")) {
                rs.next();
                assertThat(rs.getInt(1)).isPositive();
            }
        }
    }

    @Test
    void requireOnAServerWithoutThePreloadNamesTheFixAndKeepsTheConnection() throws Exception {
        try (TestDatabase db = TestDatabase.create(Engine.POSTGRESQL); HikariDataSource ds = pool(db)) {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                rs.next();
                // the plain cluster shares the server's files: this is the half-installed case when they are there
                System.out.println("timescaledb files on the plain cluster's server: " + (rs.getInt(1) == 1));
            }
            assertThatThrownBy(() -> new Migrator(ds, "require").migrate())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("FLEETWATCH_TIMESCALEDB=require but the timescaledb extension is not installed"
                            .substring(0, "FLEETWATCH_TIMESCALEDB=require but ".length()))
                    .satisfiesAnyOf(
                            e -> assertThat(e).hasMessageContaining("shared_preload_libraries = 'timescaledb'"),
                            e -> assertThat(e).hasMessageContaining("is not installed on this server"));
            // nothing was half-done, and auto then works on the same server, as plain PostgreSQL
            Migrator auto = new Migrator(ds, "auto");
            assertThat(auto.migrate()).hasSizeGreaterThanOrEqualTo(7);
            assertThat(auto.status()).last().isEqualTo("metrics storage: postgresql");
            assertThatThrownBy(() -> new Migrator(ds, "require").migrate())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("created as plain PostgreSQL");
        }
    }

    @Test
    void halfInstalledExtensionIsDetectedWithoutTryingIt() throws Exception {
        try (TestDatabase db = TestDatabase.create(Engine.POSTGRESQL); HikariDataSource ds = pool(db);
             Connection c = ds.getConnection()) {
            MetricsStorage.Detection d = MetricsStorage.detect(c);
            assertThat(d.usable()).isFalse();
            boolean files;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                rs.next();
                files = rs.getInt(1) == 1;
            }
            assertThat(d.reason()).contains(files ? "not preloaded: add shared_preload_libraries = 'timescaledb'"
                    : "not installed on this server");
            // the connection is still alive: nothing was attempted that could end it
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void requireOnTimescaleDbMakesAHypertable() throws Exception {
        try (TestDatabase db = TestDatabase.create(Engine.TIMESCALEDB); HikariDataSource ds = pool(db)) {
            Migrator m = new Migrator(ds, "require");
            m.migrate();
            assertThat(m.status()).last().isEqualTo("metrics storage: timescaledb");
        }
    }

    @Test
    void offOnTimescaleDbKeepsPlainPostgresql() throws Exception {
        try (TestDatabase db = TestDatabase.create(Engine.TIMESCALEDB); HikariDataSource ds = pool(db)) {
            Migrator m = new Migrator(ds, "off");
            m.migrate();
            assertThat(m.status()).last().isEqualTo("metrics storage: postgresql");
        }
    }
}
