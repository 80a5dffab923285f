package io.fleetwatch.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A streaming replica of the local primary (127.0.0.1:5432), made for one test: {@code pg_basebackup -R} as the
 * replication role that {@code scripts/services} creates ({@code fleetwatch_replication}, dev.env's password), into a
 * temporary directory owned by {@code postgres}, started with {@code pg_ctl} on a free loopback port. Needs root (it
 * runs PostgreSQL's tools as {@code postgres} with runuser). {@link #close()} stops it and removes the directory; a
 * shutdown hook does the same if the JVM ends first.
 */
public final class TestReplica implements AutoCloseable {
    static final String ROLE = "fleetwatch_replication";
    private static final Duration STEP = Duration.ofSeconds(60);
    /** Settings a hot standby must have at least as high as its primary, or it refuses to start. */
    private static final List<String> AT_LEAST_PRIMARY = List.of("max_connections", "max_worker_processes",
            "max_wal_senders", "max_prepared_transactions", "max_locks_per_transaction");

    private final Path dir;
    private final Path data;
    private final Path bin;
    private final int port;
    private final Thread cleanup;

    private TestReplica(Path dir, Path bin, int port) {
        this.dir = dir;
        this.data = dir.resolve("data");
        this.bin = bin;
        this.port = port;
        this.cleanup = new Thread(this::remove, "test-replica-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Copies the primary and starts the copy; returns once it streams from the primary. */
    public static TestReplica start() throws Exception {
        String admin = DevEnv.get(TestDatabase.ENV_ADMIN_URL, null);
        String password = DevEnv.get("FLEETWATCH_DB_PASSWORD", null);
        if (admin == null || password == null) {
            throw new IllegalStateException("no local credentials in " + DevEnv.file() + ": run scripts/services");
        }
        List<String> conf = new ArrayList<>();
        int major;
        // a superuser's view: shared_preload_libraries is hidden from others
        try (Connection c = DriverManager.getConnection(TestDatabase.asSuperuser(admin)); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int / 10000,"
                    + " inet_server_port(), EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "' AND rolreplication)")) {
                rs.next();
                major = rs.getInt(1);
                if (rs.getInt(2) != 5432 || !rs.getBoolean(3)) {
                    throw new IllegalStateException("the primary needs role " + ROLE + " on 127.0.0.1:5432 (found port "
                            + rs.getInt(2) + "): run scripts/services");
                }
            }
            for (String key : concat(AT_LEAST_PRIMARY, "shared_preload_libraries")) {
                try (ResultSet rs = st.executeQuery("SELECT current_setting('" + key + "')")) {
                    rs.next();
                    conf.add(key + " = '" + rs.getString(1) + "'");
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT current_setting('timescaledb.max_background_workers', true)")) {
                rs.next();
                if (rs.getString(1) != null) { // one scheduler per database: as many as on the primary
                    conf.add("timescaledb.max_background_workers = '" + rs.getString(1) + "'");
                    conf.add("timescaledb.telemetry_level = 'off'");
                }
            }
        }
        Path bin = Path.of("/usr/lib/postgresql", Integer.toString(major), "bin");
        Path dir = Files.createTempDirectory("fw-replica-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        int port = Ports.free();
        TestReplica r = new TestReplica(dir, bin, port);
        try {
            // a password file, not PGPASSWORD: the environment of a process is readable in /proc by its user
            Path pass = dir.resolve("pgpass");
            Files.writeString(pass, "127.0.0.1:5432:*:" + ROLE + ":" + password + "\n");
            Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
            run(STEP, "chown", "-R", "postgres:postgres", dir.toString());
            r.asPostgres("env", "PGPASSFILE=" + pass, bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                    "5432", "-U", ROLE, "-D", r.data.toString(), "-R", "-X", "stream", "-c", "fast", "-w");
            conf.addAll(List.of("port = " + port, "listen_addresses = '127.0.0.1'",
                    "unix_socket_directories = '" + dir + "'", "hot_standby = on",
                    "wal_receiver_status_interval = '1s'", "logging_collector = off"));
            Files.write(r.data.resolve("postgresql.conf"), conf);
            Files.writeString(r.data.resolve("pg_hba.conf"), "local all postgres peer\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n");
            Files.writeString(r.data.resolve("pg_ident.conf"), "");
            // primary_conninfo names the password file by path; keep it where the walreceiver can read it
            run(STEP, "chown", "-R", "postgres:postgres", dir.toString());
            r.startServer();
            r.awaitStreaming(STEP);
            return r;
        } catch (Exception | AssertionError e) {
            r.close();
            throw e;
        }
    }

    /** The same database, user and password as {@code primaryJdbcUrl}, on the replica. */
    public String jdbcUrl(String primaryJdbcUrl) {
        if (!primaryJdbcUrl.contains("127.0.0.1:5432/")) {
            throw new IllegalArgumentException("not a URL of the local primary: " + TestDatabase.redact(primaryJdbcUrl));
        }
        return primaryJdbcUrl.replace("127.0.0.1:5432/", "127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    /** Stops the server (fast shutdown: connections are cut, as when a replica's host goes away). */
    public void stop() throws Exception {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    }

    /** Starts it again and waits until it streams. */
    public void restart() throws Exception {
        startServer();
        awaitStreaming(STEP);
    }

    private void startServer() throws Exception {
        asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
                "-w", "-t", "60", "start");
    }

    /**
     * A superuser's URL of {@code database} on the replica ({@code fleetwatch_admin}, as {@link
     * TestDatabase#superuserJdbcUrl()}): for what only one may see or do there, such as pausing replay.
     */
    public String superuserJdbcUrl(String database) {
        return TestDatabase.asSuperuser(jdbcUrl(TestDatabase.withDatabase(DevEnv.get(TestDatabase.ENV_ADMIN_URL, ""),
                database)));
    }

    /** Streaming from the primary, as the replica's own view says. */
    public void awaitStreaming(Duration timeout) throws Exception {
        String url = superuserJdbcUrl("postgres");
        Await.until(timeout, "the replica on 127.0.0.1:" + port + " streaming from the primary", () -> {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM"
                         + " pg_stat_wal_receiver WHERE status = 'streaming')")) {
                return rs.next() && rs.getBoolean(1);
            } catch (SQLException e) {
                return false;
            }
        });
    }

    /** The server's log, for a failure message. */
    public String log() {
        try {
            Path log = dir.resolve("server.log");
            return Files.isReadable(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs remove() again, harmlessly
        }
    }

    private synchronized void remove() {
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                asPostgres(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "-t", "30",
                        "stop");
            }
        } catch (Exception e) {
            System.err.println("test replica: stop failed: " + e.getMessage());
        }
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private void asPostgres(String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        argv.addAll(List.of(command));
        run(STEP, argv.toArray(String[]::new));
    }

    private static void run(Duration timeout, String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        // a child blocked on a full pipe never ends: read while waiting
        var out = new java.util.concurrent.CompletableFuture<String>();
        Thread reader = new Thread(() -> {
            try {
                out.complete(new String(p.getInputStream().readAllBytes()));
            } catch (IOException e) {
                out.complete("");
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(argv[argv.length > 4 ? 4 : 0] + " did not finish within " + timeout);
        }
        String text = out.get(5, TimeUnit.SECONDS);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", argv).replaceAll("PGPASSFILE=\\S+", "PGPASSFILE=...")
                    + " exited " + p.exitValue() + ": " + text.strip());
        }
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }
}
