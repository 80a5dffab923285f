package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fleetwatch backup / restore against the real PostgreSQL (pg_dump, pg_restore) and RabbitMQ (management API). */
class BackupRestoreIT {
    @Test
    void whatWasLostComesBackAndADamagedBackupIsRefused(@TempDir Path tmp) throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(ScanCommandIT.run(env, "queue-setup").code()).isZero();
            assertThat(ScanCommandIT.run(env, "db", "migrate").code()).isZero();
            sql(db, "INSERT INTO systems (id, hostname) SELECT g, 'b-' || g FROM generate_series(1, 20) g");
            sql(db, "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) SELECT s, now() - g *"
                    + " interval '10 seconds', 10, 20, 30, 0, 0, 1, 0 FROM generate_series(1, 20) s, generate_series(1, 50) g");
            // and ten days of one host, so that TimescaleDB has several chunks, the older ones compressed
            sql(db, "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users) SELECT 1, now() - g *"
                    + " interval '10 minutes', g % 50, 20, 30, 0, 0, 1, 0 FROM generate_series(6, 1440) g");
            boolean timescale = timescale(db);
            if (timescale) {
                sql(db, "SELECT compress_chunk(c) FROM show_chunks('metrics', older_than => now() - interval '7 days') c");
            }
            String before = snapshot(db);
            System.out.println("backup/restore on " + (timescale ? "TimescaleDB" : "PostgreSQL") + ": " + before);

            // the configuration file and a certificate it names are backed up with the data
            Path etc = Files.createDirectories(tmp.resolve("etc"));
            Path ca = Files.writeString(etc.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nnot checked here\n");
            Path yml = etc.resolve("fleetwatch.yml");
            Files.writeString(yml, "broker:\n  tls:\n    ca-file: " + ca + "\n");
            Files.setPosixFilePermissions(yml, PosixFilePermissions.fromString("rw-------"));
            env.put("FLEETWATCH_CONFIG", yml.toString());
            Path dir = tmp.resolve("backup-1");
            ScanCommandIT.Result b = ScanCommandIT.run(env, "backup", "--to", dir.toString());
            assertThat(b.code()).as(b.err()).isZero();
            assertThat(dir.resolve("files" + yml)).hasSameTextualContentAs(yml);
            assertThat(dir.resolve("files" + ca)).hasSameTextualContentAs(ca);
            assertThat(Files.readString(dir.resolve("manifest.json"))).contains("\"files" + ca + "\" : \"" + ca + "\"");
            assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(Files.readString(dir.resolve("rabbitmq-definitions.json"))).contains("metrics_queue");
            assertThat(ScanCommandIT.run(env, "backup", "--to", dir.toString()).code()).as("never over a backup").isEqualTo(2);

            // disaster: rows deleted, a queue deleted
            sql(db, "DELETE FROM metrics");
            sql(db, "DELETE FROM systems");
            try (var c = BrokerSettings.fromEnv(env).connectionFactory().newConnection(); var ch = c.createChannel()) {
                ch.queueDelete("discovery_queue");
            }
            assertThat(ScanCommandIT.run(env, "restore", "--from", dir.toString()).code()).as("needs --yes").isEqualTo(2);
            if (timescale) {
                // TimescaleDB's catalog belongs to the superuser: the application's role is told so, and nothing changes
                ScanCommandIT.Result refused = ScanCommandIT.run(env, "restore", "--from", dir.toString(), "--yes");
                assertThat(refused.code()).as(refused.err()).isEqualTo(2);
                assertThat(refused.err()).contains("restoring a TimescaleDB backup needs a superuser role");
                env.put("DATABASE_URL", db.superuserJdbcUrl());
            }
            ScanCommandIT.Result r = ScanCommandIT.run(env, "restore", "--from", dir.toString(), "--yes");
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(snapshot(db)).isEqualTo(before);
            // the application's role still owns what it writes: a new sample, in a new chunk on TimescaleDB
            sql(db, "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                    + " VALUES (2, now() + interval '2 days', 1, 1, 1, 0, 0, 1, 0)");
            try (var c = BrokerSettings.fromEnv(env).connectionFactory().newConnection(); var ch = c.createChannel()) {
                assertThat(ch.queueDeclarePassive("discovery_queue").getQueue()).isEqualTo("discovery_queue");
            }
            assertThat(ScanCommandIT.run(env, "db", "status").code()).as("schema history restored too").isZero();
            assertThat(r.out()).contains(ca + " is in " + dir.resolve("files" + ca));
            Files.delete(ca);
            if (timescale) {
                env.put("DATABASE_URL", db.superuserJdbcUrl());
            }
            ScanCommandIT.Result files = ScanCommandIT.run(env, "restore", "--from", dir.toString(), "--yes",
                    "--restore-files");
            assertThat(files.code()).as(files.err()).isZero();
            assertThat(ca).hasSameTextualContentAs(dir.resolve("files" + ca));
            assertThat(Files.getPosixFilePermissions(ca)).isEqualTo(PosixFilePermissions.fromString("rw-------"));

            // a flipped byte in the dump: refused before anything is touched
            Path dump = dir.resolve("database.dump");
            byte[] bytes = Files.readAllBytes(dump);
            bytes[bytes.length / 2] ^= 1;
            Files.write(dump, bytes);
            ScanCommandIT.Result bad = ScanCommandIT.run(env, "restore", "--from", dir.toString(), "--yes");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("database.dump is missing or does not match the manifest's checksum");
        }
    }

    /** What fleetwatch-backup.timer runs every day: a dated directory each time, the oldest beyond --keep removed. */
    @Test
    void theDailyBackupKeepsTheNewestOnes(@TempDir Path tmp) throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(ScanCommandIT.run(env, "db", "migrate").code()).isZero();
            Path folder = tmp.resolve("backups");
            java.util.List<String> made = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ScanCommandIT.Result r = ScanCommandIT.run(env, "backup", "--into", folder.toString(), "--keep", "2",
                        "--no-broker", "--no-files");
                assertThat(r.code()).as(r.err()).isZero();
                made.add(r.out().lines().findFirst().orElseThrow().replaceAll("^backup: (\\S+) .*", "$1"));
                Thread.sleep(1_100); // the names are to the second
            }
            try (var listing = Files.list(folder)) {
                assertThat(listing.map(p -> p.toString()).sorted().toList()).containsExactly(made.get(1), made.get(2));
            }
            assertThat(Path.of(made.get(2)).getFileName().toString()).matches("fleetwatch-\\d{8}T\\d{6}Z");
            assertThat(Files.getPosixFilePermissions(Path.of(made.get(2)))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
            ScanCommandIT.Result both = ScanCommandIT.run(env, "backup", "--to", tmp.resolve("x").toString(), "--into",
                    folder.toString());
            assertThat(both.code()).isEqualTo(2);
            ScanCommandIT.Result keepAlone = ScanCommandIT.run(env, "backup", "--to", tmp.resolve("y").toString(), "--keep", "3");
            assertThat(keepAlone.code()).isEqualTo(2);
            assertThat(keepAlone.err()).contains("--keep");
        }
    }

    private static void sql(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static boolean timescale(TestDatabase db) throws Exception {
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT value FROM fleetwatch_meta WHERE key = 'metrics_storage'")) {
            rs.next();
            return rs.getString(1).equals("timescaledb");
        }
    }

    /** Rows; on TimescaleDB also the chunks (range, compressed or not) and the policies with their settings. */
    private static String snapshot(TestDatabase db) throws Exception {
        String sql = "SELECT (SELECT count(*) FROM systems) || '/' || (SELECT count(*) FROM metrics) || '/'"
                + " || (SELECT coalesce(sum(cpu_percent), 0) FROM metrics) || '/' || (SELECT count(*) FROM alert_rules)";
        if (timescale(db)) {
            sql += " || ' chunks ' || (SELECT string_agg(range_start || ':' || is_compressed, ',' ORDER BY range_start)"
                    + " FROM timescaledb_information.chunks WHERE hypertable_name = 'metrics')"
                    + " || ' jobs ' || (SELECT string_agg(proc_name || ':' || hypertable_name || ':' || schedule_interval"
                    + " || ':' || config::text, ',' ORDER BY hypertable_name, proc_name) FROM timescaledb_information.jobs"
                    + " WHERE job_id >= 1000)"
                    + " || ' caggs ' || (SELECT string_agg(view_name, ',' ORDER BY view_name)"
                    + " FROM timescaledb_information.continuous_aggregates)";
        }
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
