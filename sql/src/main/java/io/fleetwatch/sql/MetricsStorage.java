package io.fleetwatch.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Which storage the metrics table uses on this database: a TimescaleDB hypertable or a plain PostgreSQL table. */
public final class MetricsStorage {
    private MetricsStorage() {}

    public static final String PLACEHOLDER = "timescaledb";
    public static final String ENV_MODE = io.fleetwatch.settings.Keys.DATABASE_TIMESCALEDB.env();
    public static final String TIMESCALEDB = "timescaledb";
    public static final String POSTGRESQL = "postgresql";

    /** Whether {@code CREATE EXTENSION timescaledb} can work here, and if not, why not and what would fix it. */
    public record Detection(boolean usable, String reason) {}

    /** What an operator does on a server that has TimescaleDB's files but does not load the library at start. */
    public static final String PRELOAD_FIX = "add shared_preload_libraries = 'timescaledb' to postgresql.conf and"
            + " restart PostgreSQL (timescaledb-tune does this)";

    /**
     * Looks, without trying anything that could end the session: a server that has the extension's files but not
     * the library preloaded answers {@code CREATE EXTENSION timescaledb} with a FATAL that closes the connection, so
     * no savepoint can catch it. The preload is seen through a setting only the loaded library defines
     * ({@code shared_preload_libraries} itself is readable by superusers only).
     */
    public static Detection detect(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'")) {
                if (rs.next()) {
                    return new Detection(true, "timescaledb " + rs.getString(1) + " extension already created");
                }
            }
            try (ResultSet rs = st.executeQuery(
                    "SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                if (!rs.next()) {
                    return new Detection(false, "the timescaledb extension is not installed on this server");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT current_setting('timescaledb.disable_load', true)")) {
                rs.next();
                if (rs.getString(1) == null) {
                    return new Detection(false, "timescaledb is installed on this server but not preloaded: " + PRELOAD_FIX);
                }
            }
            return new Detection(true, "timescaledb is installed and preloaded");
        }
    }

    /**
     * Creates the timescaledb extension if {@link #detect} finds it can work. The attempt still runs under a
     * savepoint, for refusals that leave the session alive (a role without CREATE on the database).
     */
    public static Detection enable(Connection c) throws SQLException {
        Detection d = detect(c);
        if (!d.usable()) {
            return d;
        }
        try (Statement st = c.createStatement()) {
            java.sql.Savepoint sp = c.setSavepoint();
            try {
                st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                c.releaseSavepoint(sp);
                return new Detection(true, "timescaledb extension created");
            } catch (SQLException e) {
                c.rollback(sp);
                return new Detection(false, "timescaledb is installed and preloaded but CREATE EXTENSION failed ("
                        + e.getMessage() + ")");
            }
        }
    }

    /** The storage recorded by the migrations, or null before they ran. */
    public static String recorded(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT value FROM fleetwatch_meta WHERE key = 'metrics_storage'")) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: not migrated yet
                return null;
            }
            throw e;
        }
    }
}
