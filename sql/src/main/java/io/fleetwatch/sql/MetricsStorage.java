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

    public static Detection detect(Connection c) throws SQLException {
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
            // The extension refuses to load unless preloaded; asking first avoids aborting the migration transaction.
            try (ResultSet rs = st.executeQuery("SELECT current_setting('shared_preload_libraries', true)")) {
                String preload = rs.next() ? rs.getString(1) : null;
                if (preload == null || !preload.contains("timescaledb")) {
                    return new Detection(false, "timescaledb is installed but not in shared_preload_libraries");
                }
            }
        }
        return new Detection(true, "timescaledb available");
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
