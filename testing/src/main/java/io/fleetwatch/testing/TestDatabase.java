package io.fleetwatch.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database on the real local server, dropped on close. The admin URL comes from
 * {@code FLEETWATCH_TEST_JDBC_URL} (a role with CREATEDB), written by {@code scripts/services}.
 */
public final class TestDatabase implements AutoCloseable {
    public static final String ENV_ADMIN_URL = "FLEETWATCH_TEST_JDBC_URL";

    private final String adminUrl;
    private final String name;
    private final String jdbcUrl;

    private TestDatabase(String adminUrl, String name) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.jdbcUrl = withDatabase(adminUrl, name);
    }

    public static TestDatabase create() {
        String admin = DevEnv.get(ENV_ADMIN_URL, null);
        if (admin == null) {
            throw new IllegalStateException(ENV_ADMIN_URL + " is not set and " + DevEnv.file()
                    + " has none: run scripts/services first (it starts PostgreSQL and writes the test credentials)");
        }
        String name = "fwtest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + redact(admin) + " refused CREATE DATABASE (" + e.getMessage()
                    + "): is it running? run scripts/services", e);
        }
        return new TestDatabase(admin, name);
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String name() {
        return name;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl);
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop test database " + name + ": " + e.getMessage(), e);
        }
    }

    static String withDatabase(String url, String db) {
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        String params = q < 0 ? "" : url.substring(q);
        int slash = base.lastIndexOf('/');
        if (slash < "jdbc:postgresql://".length()) {
            throw new IllegalArgumentException(ENV_ADMIN_URL + " must be jdbc:postgresql://host:port/db?...");
        }
        return base.substring(0, slash + 1) + db + params;
    }

    /** URLs here carry the password as a parameter; keep it out of messages. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***");
    }
}
