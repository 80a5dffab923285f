package io.fleetwatch.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import io.fleetwatch.testing.TestDatabase.Engine;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Bytes on disk per stored sample (8 values, plus the row's times and sequence): one day of {@code --hosts} hosts
 * every 10 s, values shaped like an agent's (two decimals, CPU wandering with noise, memory and disk slow, network
 * bursty, a GPU on one host in ten, uptime counting up), stored through the real schema (constraints, indexes,
 * triggers). TimescaleDB measured uncompressed and after compressing the day's chunks with the hypertable's own
 * settings (segment by system, newest first); plain PostgreSQL as it stores it (heap, unique key, time index).
 */
public final class StorageBench {
    private StorageBench() {}

    /** One day, 10 s apart, realistic values; {@code %d, %d} are the first and last host of a slice. */
    private static final String DAY = """
            INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,
                                 network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, source_seq, received_at)
            SELECT h, t,
                   round(least(100, greatest(0, 25 + 20 * sin(e / 900.0 + h) + 8 * random()))::numeric, 2),
                   round((35 + h %% 40 + 3 * sin(e / 3600.0 + h) + random())::numeric, 2),
                   round((20 + h %% 60 + (e - extract(epoch FROM :day)) / 86400.0)::numeric, 2),
                   round((CASE WHEN random() < 0.1 THEN 50 * random() ELSE random() END)::numeric, 2),
                   round((CASE WHEN random() < 0.1 THEN 200 * random() ELSE 2 * random() END)::numeric, 2),
                   CASE WHEN h %% 10 = 0 THEN round((100 * random() ^ 3)::numeric, 2) END,
                   100000 + h * 37 + (e - extract(epoch FROM :day))::bigint, h %% 3,
                   ((e - extract(epoch FROM :day)) / 10)::bigint,
                   t + random() * interval '200 milliseconds'
            FROM generate_series(%d, %d) h,
                 LATERAL (SELECT t, extract(epoch FROM t) AS e FROM generate_series(:day, :day + interval '1 day'
                          - interval '10 seconds', interval '10 seconds') t) s""";

    public static void main(String[] args) throws Exception {
        int hosts = IngestBench.intArg(args, "--hosts", 1000);
        String only = System.getProperty("fleetwatch.test.engine", System.getenv().getOrDefault("FLEETWATCH_TEST_ENGINE", ""));
        List<String> lines = new ArrayList<>();
        for (Engine e : Engine.values()) {
            if (!only.isBlank() && !only.equalsIgnoreCase(e.name())) {
                continue;
            }
            lines.addAll(run(e, hosts));
        }
        System.out.println();
        System.out.printf("Fleetwatch storage benchmark: 1 day of %,d hosts every 10 s (%,d samples of 8 values)%n%n",
                hosts, hosts * 8640L);
        System.out.println("| storage | bytes on disk | bytes per sample | bytes per value | goal |");
        System.out.println("|---|---|---|---|---|");
        lines.forEach(System.out::println);
    }

    private static List<String> run(Engine engine, int hosts) throws Exception {
        List<String> out = new ArrayList<>();
        try (TestDatabase db = TestDatabase.create(engine);
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "bench")) {
            new Migrator(ds, engine == Engine.TIMESCALEDB ? "require" : "auto").migrate();
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                // the jobs would compress or refresh behind the measurement's back
                if (engine == Engine.TIMESCALEDB) {
                    st.execute("SELECT alter_job(job_id, scheduled => false) FROM timescaledb_information.jobs"
                            + " WHERE job_id >= 1000");
                }
                st.execute("INSERT INTO systems (id, hostname) SELECT g, 'store-' || g FROM generate_series(1, " + hosts
                        + ") g");
                String day = "date_trunc('day', now() - interval '1 day')"; // yesterday: a closed chunk, an existing partition
                long t0 = System.nanoTime();
                for (int first = 1; first <= hosts; first += 100) {
                    st.execute(DAY.formatted(first, Math.min(hosts, first + 99)).replace(":day", day));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                long rows = single(st, "SELECT count(*) FROM metrics");
                IngestBench.log("%s: %,d rows inserted in %.0f s", engine, rows, seconds);
                st.execute("VACUUM ANALYZE metrics");
                if (engine == Engine.TIMESCALEDB) {
                    long raw = single(st, "SELECT hypertable_size('metrics')");
                    out.add(line("TimescaleDB, uncompressed (row store, 1-day chunk)", raw, rows, false));
                    t0 = System.nanoTime();
                    st.execute("SELECT compress_chunk(c) FROM show_chunks('metrics') c");
                    IngestBench.log("compressed in %.0f s", (System.nanoTime() - t0) / 1e9);
                    long packed = single(st, "SELECT hypertable_size('metrics')");
                    out.add(line("TimescaleDB, compressed (segment by system_id, order by collected_at DESC)", packed,
                            rows, true));
                    // A candidate layout, not Fleetwatch's: the same values as integer hundredths (what the agent
                    // rounds to). TimescaleDB compresses integers by delta and simple-8b, doubles by XOR (Gorilla),
                    // which gains little on noisy decimal fractions.
                    st.execute("CREATE TABLE metrics_hundredths (system_id bigint NOT NULL, collected_at timestamptz"
                            + " NOT NULL, cpu integer, ram integer, disk integer, sent integer, recv integer, gpu integer,"
                            + " uptime_seconds bigint, logged_in_users integer, source_seq bigint, received_at timestamptz,"
                            + " UNIQUE (system_id, collected_at))");
                    st.execute("SELECT create_hypertable('metrics_hundredths', 'collected_at', chunk_time_interval =>"
                            + " INTERVAL '1 day')");
                    st.execute("INSERT INTO metrics_hundredths SELECT system_id, collected_at, round(cpu_percent * 100),"
                            + " round(ram_percent * 100), round(disk_percent * 100), round(network_sent_mbps * 100),"
                            + " round(network_recv_mbps * 100), round(gpu_percent * 100), uptime_seconds, logged_in_users,"
                            + " source_seq, received_at FROM metrics");
                    st.execute("ALTER TABLE metrics_hundredths SET (timescaledb.compress, timescaledb.compress_segmentby"
                            + " = 'system_id', timescaledb.compress_orderby = 'collected_at DESC')");
                    st.execute("SELECT compress_chunk(c) FROM show_chunks('metrics_hundredths') c");
                    out.add(line("(candidate, not used) TimescaleDB compressed, values as integer hundredths",
                            single(st, "SELECT hypertable_size('metrics_hundredths')"), rows, true));
                } else {
                    long size = single(st, "SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree('metrics')");
                    out.add(line("plain PostgreSQL (daily partition, unique key, time index)", size, rows, false));
                }
            }
        }
        return out;
    }

    private static String line(String what, long bytes, long rows, boolean goal) {
        double perSample = (double) bytes / rows;
        return String.format("| %s | %,d | %.1f | %.2f | %s |", what, bytes, perSample, perSample / 8,
                goal ? "<= 16 B/sample" + (perSample <= 16 ? " (met)" : " (not met)") : "");
    }

    private static long single(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
