package io.fleetwatch.sql;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The database's backup and restore through PostgreSQL's client programs: {@code pg_dump} (custom format) and
 * {@code pg_restore} + {@code psql} (one transaction). The password reaches them through {@code PGPASSWORD} only,
 * never on a command line.
 */
public final class DatabaseDump {
    private final DatabaseSettings db;

    public DatabaseDump(DatabaseSettings db) {
        this.db = Objects.requireNonNull(db, "db");
    }

    /** Writes the whole database to {@code file} (custom format, no owners or privileges). */
    public void dump(Path file) throws IOException, InterruptedException {
        run(List.of("pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file=" + file,
                "--dbname=" + libpqUri(db)), db.password());
    }

    /**
     * Replaces the {@code public} schema with the dump's contents, all or nothing. A TimescaleDB dump is restored as
     * Timescale documents and needs a superuser role: with any other role this throws
     * {@link IllegalArgumentException} before anything is changed.
     */
    public void restore(Path dump) throws IOException, InterruptedException {
        boolean timescale = run(List.of("pg_restore", "--list", dump.toString()), null).lines()
                .anyMatch(l -> l.matches(".* EXTENSION - timescaledb( .*)?"));
        if (timescale && !"t".equals(run(List.of("psql", "--no-psqlrc", "--tuples-only", "--no-align",
                "--dbname=" + libpqUri(db), "--command=SELECT rolsuper FROM pg_roles WHERE rolname = current_user"),
                db.password()).strip())) {
            throw new IllegalArgumentException("restoring a TimescaleDB backup needs a superuser role: TimescaleDB's"
                    + " catalog belongs to the role that installed the extension. Run restore with DATABASE_URL of a"
                    + " superuser (e.g. user postgres) on the same database; nothing was changed");
        }
        // pg_restore --clean cannot drop a partitioned table's objects in order, so the archive becomes an SQL
        // script run after emptying the schema; psql wraps the -c and the -f in one transaction: all, or nothing.
        // TimescaleDB (as Timescale documents): a fresh extension, timescaledb_pre_restore() before the data and
        // timescaledb_post_restore() after; its objects keep their owner, the application's role, not the
        // superuser that restores them.
        Path script = Files.createTempFile("fleetwatch-restore", ".sql");
        try {
            List<String> restore = new ArrayList<>(List.of("pg_restore", "--no-privileges", "--file=" + script,
                    dump.toString()));
            if (!timescale) {
                restore.add(1, "--no-owner");
            }
            run(restore, null);
            List<String> psql = new ArrayList<>(List.of("psql", "--no-psqlrc", "--quiet", "--single-transaction",
                    "--set=ON_ERROR_STOP=1", "--dbname=" + libpqUri(db)));
            psql.add(timescale
                    ? "--command=DROP EXTENSION IF EXISTS timescaledb CASCADE; DROP SCHEMA public CASCADE;"
                            + " CREATE SCHEMA public AUTHORIZATION pg_database_owner; CREATE EXTENSION timescaledb;"
                            + " SELECT public.timescaledb_pre_restore();"
                    : "--command=DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
            psql.add("--file=" + script);
            if (timescale) {
                psql.add("--command=SELECT public.timescaledb_post_restore();");
            }
            run(psql, db.password());
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The JDBC URL as a libpq URI (pg_dump, pg_restore); libpq-only parameters are kept, JDBC-only ones dropped. */
    public static String libpqUri(DatabaseSettings db) {
        String url = db.jdbcUrl().substring("jdbc:".length());
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        List<String> keep = new ArrayList<>();
        if (q >= 0) {
            for (String p : url.substring(q + 1).split("&")) {
                String k = p.split("=", 2)[0];
                if (List.of("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout").contains(k)) {
                    keep.add(p);
                }
            }
        }
        String user = db.user() == null ? "" : URLEncoder.encode(db.user(), StandardCharsets.UTF_8) + "@";
        String uri = base.replaceFirst("^postgresql://", "postgresql://" + user);
        return keep.isEmpty() ? uri : uri + "?" + String.join("&", keep);
    }

    /** Runs a client program; returns what it printed, or throws with its last line. */
    private static String run(List<String> cmd, String password) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (password != null) {
            pb.environment().put("PGPASSWORD", password);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(cmd.get(0) + " failed" + (out.isEmpty() ? "" : ": " + out.lines().reduce((a, b) -> b)
                    .orElse("")));
        }
        return out;
    }
}
