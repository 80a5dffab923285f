package io.fleetwatch.sql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Which storage the metrics table uses on this database: a TimescaleDB hypertable or a plain PostgreSQL table. */
public final class MetricsStorage {
    private MetricsStorage() {}

    public static final String PLACEHOLDER = "timescaledb";
    public static final String ENV_MODE = "FLEETWATCH_TIMESCALEDB";
    public static final String TIMESCALEDB = "timescaledb";
    public static final String POSTGRESQL = "postgresql";

    /** Whether {@code CREATE EXTENSION timescaledb} can work here, and if not, why not. */
    public record Detection(boolean usable, String reason) {}

    /**
     * Creates the timescaledb extension if this server can load it. The attempt runs under a savepoint: a server
     * where the extension is installed but not preloaded refuses it, and that refusal must not abort the
     * migration's transaction.
     */
    public static Detection enable(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")) {
                if (rs.next()) {
                    return new Detection(true, "timescaledb extension already created");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")) {
                if (!rs.next()) {
                    return new Detection(false, "the timescaledb extension is not installed on this server");
                }
            }
            java.sql.Savepoint sp = c.setSavepoint();
            try {
                st.execute("CREATE EXTENSION IF NOT EXISTS timescaledb");
                c.releaseSavepoint(sp);
                return new Detection(true, "timescaledb extension created");
            } catch (SQLException e) {
                c.rollback(sp);
                return new Detection(false, "timescaledb is installed but cannot be loaded (" + e.getMessage()
                        + "; is it in shared_preload_libraries?)");
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
