package io.fleetwatch.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database on a real local server, dropped on close. Two servers, both set up by
 * {@code scripts/services} with a role that has CREATEDB: {@code FLEETWATCH_TEST_JDBC_URL}, the primary (TimescaleDB
 * preloaded), and {@code FLEETWATCH_TEST_JDBC_URL_PLAIN}, a cluster without the preload (plain PostgreSQL).
 * {@link #create()} takes the engine a run asks for ({@code FLEETWATCH_TEST_ENGINE} or the system property
 * {@code fleetwatch.test.engine}: {@code timescaledb} or {@code postgresql}; default the primary), so the same test
 * runs on both; the tests of one engine ask for it with {@link #create(Engine)}. Each database says on stdout which
 * engine it is on and for which test, so a run's output shows what ran where.
 */
public final class TestDatabase implements AutoCloseable {
    public static final String ENV_ADMIN_URL = "FLEETWATCH_TEST_JDBC_URL";
    public static final String ENV_ADMIN_URL_PLAIN = "FLEETWATCH_TEST_JDBC_URL_PLAIN";
    public static final String ENV_ENGINE = "FLEETWATCH_TEST_ENGINE";

    /** The metrics storage engines Fleetwatch supports. */
    public enum Engine {
        TIMESCALEDB, POSTGRESQL;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String adminUrl;
    private final String name;
    private final String jdbcUrl;

    private TestDatabase(String adminUrl, String name) {
        this.adminUrl = adminUrl;
        this.name = name;
        this.jdbcUrl = withDatabase(adminUrl, name);
    }

    /** A database on the engine this run asks for (see the class comment); the primary server by default. */
    public static TestDatabase create() {
        String asked = System.getProperty("fleetwatch.test.engine", DevEnv.get(ENV_ENGINE, ""));
        if (asked.isBlank()) {
            return create(adminUrl(ENV_ADMIN_URL), null);
        }
        Engine e;
        try {
            e = Engine.valueOf(asked.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(ENV_ENGINE + " must be timescaledb or postgresql, not '" + asked + "'");
        }
        return create(e);
    }

    /**
     * A database on the given engine. TimescaleDB needs the primary server to preload it: where it does not, the
     * test fails when the run must cover both engines ({@code CI} or {@code FLEETWATCH_TEST_REQUIRE_TIMESCALEDB} set),
     * else it is skipped with a warning on stderr.
     */
    public static TestDatabase create(Engine engine) {
        if (engine == Engine.POSTGRESQL) {
            return create(adminUrl(ENV_ADMIN_URL_PLAIN), engine);
        }
        String admin = adminUrl(ENV_ADMIN_URL);
        if (!timescaleDbPreloaded(admin)) {
            String why = "TimescaleDB is not preloaded on the server of " + ENV_ADMIN_URL + " (" + redact(admin)
                    + "): run scripts/services (it builds and preloads it)";
            if (!DevEnv.get("CI", "").isBlank() || !DevEnv.get("FLEETWATCH_TEST_REQUIRE_TIMESCALEDB", "").isBlank()) {
                throw new IllegalStateException(why);
            }
            System.err.println("WARNING: SKIPPED a TimescaleDB test: " + why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        return create(admin, engine);
    }

    private static String adminUrl(String key) {
        String admin = DevEnv.get(key, null);
        if (admin == null) {
            throw new IllegalStateException(key + " is not set and " + DevEnv.file()
                    + " has none: run scripts/services first (it starts PostgreSQL and writes the test credentials)");
        }
        return admin;
    }

    private static TestDatabase create(String admin, Engine engine) {
        String name = "fwtest_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        String server;
        try (Connection c = DriverManager.getConnection(admin); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
            server = describe(c);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + redact(admin) + " refused CREATE DATABASE (" + e.getMessage()
                    + "): is it running? run scripts/services", e);
        }
        String caller = StackWalker.getInstance().walk(s -> s.map(StackWalker.StackFrame::getClassName)
                .filter(n -> !n.startsWith(TestDatabase.class.getPackageName())).findFirst().orElse("?"));
        System.out.println("[test-db] " + name + " on " + server + (engine == null ? "" : " (asked: " + engine.key() + ")")
                + " for " + caller.substring(caller.lastIndexOf('.') + 1));
        return new TestDatabase(admin, name);
    }

    /** The engine new databases on this server get, as the migrations will see it. */
    private static String describe(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                "SELECT current_setting('server_version_num')::int / 10000, inet_server_port(),"
                        + " current_setting('timescaledb.disable_load', true) IS NOT NULL,"
                        + " (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb')")) {
            rs.next();
            String pg = "PostgreSQL " + rs.getInt(1) + " :" + rs.getInt(2);
            return rs.getBoolean(3) ? "timescaledb " + rs.getString(4) + " (" + pg + ")" : "postgresql (" + pg + ")";
        }
    }

    private static boolean timescaleDbPreloaded(String admin) {
        try (Connection c = DriverManager.getConnection(admin)) {
            return describe(c).startsWith("timescaledb ");
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + redact(admin) + " does not answer (" + e.getMessage()
                    + "): run scripts/services", e);
        }
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * The same database as a superuser (role {@code fleetwatch_admin} that scripts/services makes, same password), for
     * what only a superuser may do, such as restoring a TimescaleDB backup.
     */
    public String superuserJdbcUrl() {
        return asSuperuser(jdbcUrl);
    }

    static String asSuperuser(String url) {
        return url.replaceFirst("([?&]user=)[^&]*", "$1" + DevEnv.get("FLEETWATCH_TEST_SUPERUSER", "fleetwatch_admin"));
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
