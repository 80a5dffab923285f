package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fleetwatch.messages.Bounds;
import io.fleetwatch.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL storage path on the real server: daily partitions, maintenance, the 5-minute rollup, and the
 * message contract's bounds as constraints.
 */
class PlainStorageIT {
    private TestDatabase db;
    private HikariDataSource ds;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "plain-it");
        new Migrator(ds, "off", 10).migrate();
        sql("INSERT INTO systems (id, hostname) VALUES (1, 'a'), (2, 'b')");
    }

    @AfterEach
    void tearDown() {
        ds.close();
        db.close();
    }

    private void sql(String s) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(s);
        } catch (Exception e) {
            throw new IllegalStateException(s, e);
        }
    }

    private long num(String s) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(s)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String sample(int system, String at, double cpu, String gpu) {
        return "(" + system + ", " + at + ", " + cpu + ", 10, 20, 1, 2, " + gpu + ", 100, 1)";
    }

    /** Like the consumer: a duplicate (system, time) is skipped, not an error. */
    private void insert(String... rows) {
        sql("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES " + String.join(", ", rows)
                + " ON CONFLICT (system_id, collected_at) DO NOTHING");
    }

    private long partitions() throws Exception {
        return num("SELECT count(*) FROM pg_inherits WHERE inhparent = 'metrics'::regclass");
    }

    @Test
    void dailyPartitionsAheadAndADefaultForStragglers() throws Exception {
        assertThat(partitions()).isEqualTo(10); // default + yesterday..7 days ahead
        insert(sample(1, "now()", 10, "null"), sample(1, "now() - interval '30 days'", 20, "null"));
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(2);
        assertThat(num("SELECT count(*) FROM metrics_default")).isEqualTo(1);
        assertThat(num("SELECT count(*) FROM metrics WHERE collected_at > now() - interval '1 hour'")).isEqualTo(1);
    }

    @Test
    void maintenanceCreatesAheadMovesStragglersAndDropsPastRetention() throws Exception {
        insert(sample(1, "now() + interval '20 days'", 10, "null")); // beyond the prepared days: default partition
        assertThat(num("SELECT count(*) FROM metrics_default")).isEqualTo(1);

        Clock later = Clock.fixed(Instant.now().plus(Duration.ofDays(19)), ZoneOffset.UTC);
        Maintenance.Result r = new Maintenance(ds, later, 7).run();
        assertThat(r.skipped()).isFalse();
        assertThat(r.created()).isEqualTo(9);        // day 18 .. day 26
        assertThat(r.dropped()).isEqualTo(9);        // retention 10 days: everything before day 9 goes
        assertThat(num("SELECT count(*) FROM metrics_default")).isZero();
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(1); // moved into its own day, not lost
        assertThat(new Maintenance(ds, later, 7).run().created()).isZero(); // idempotent
    }

    @Test
    void oneInstanceAtATime() throws Exception {
        try (Connection holder = ds.getConnection(); Statement st = holder.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + Maintenance.LOCK_ID + ")");
            assertThat(new Maintenance(ds, Clock.systemUTC(), 7).run().skipped()).isTrue();
            st.execute("SELECT pg_advisory_unlock(" + Maintenance.LOCK_ID + ")");
        }
        assertThat(new Maintenance(ds, Clock.systemUTC(), 7).run().skipped()).isFalse();
    }

    /** metrics_5m against the same averages computed by hand from metrics; 0 when they agree. */
    private long rollupDiff() throws Exception {
        String byHand = "SELECT system_id, date_bin(interval '5 minutes', collected_at, timestamptz 'epoch'), count(*),"
                + " round(avg(cpu_percent)::numeric, 6), round(avg(gpu_percent)::numeric, 6), max(uptime_seconds),"
                + " max(logged_in_users) FROM metrics GROUP BY 1, 2";
        String view = "SELECT system_id, bucket, samples, round(cpu_percent::numeric, 6),"
                + " round(gpu_percent::numeric, 6), uptime_seconds, logged_in_users FROM metrics_5m";
        return num("SELECT count(*) FROM ((" + view + " EXCEPT " + byHand + ") UNION ALL (" + byHand + " EXCEPT "
                + view + ")) d");
    }

    @Test
    void rollupMatchesTheAveragesComputedByHandBeforeAndAfterRefreshAndWithLateData() throws Exception {
        String t0 = "date_bin(interval '5 minutes', now() - interval '1 hour', timestamptz 'epoch')";
        insert(sample(1, t0, 10, "50"), sample(1, t0 + " + interval '1 minute'", 20, "null"),
                sample(2, t0, 90, "null"));
        insert(sample(1, t0 + " + interval '2 minutes'", 60, "70"), sample(1, t0 + " + interval '6 minutes'", 5, "null"),
                sample(1, "now()", 33, "null"));
        insert(sample(1, t0, 99, "99")); // duplicate (system, time): not stored, must not count
        assertThat(num("SELECT count(*) FROM metrics")).isEqualTo(6);
        assertThat(rollupDiff()).as("live, before any refresh").isZero();
        assertThat(num("SELECT round(cpu_percent) FROM metrics_5m WHERE system_id = 1 AND samples = 3")).isEqualTo(30);
        assertThat(num("SELECT round(gpu_percent) FROM metrics_5m WHERE system_id = 1 AND samples = 3")).isEqualTo(60);

        Maintenance.Result r = new Maintenance(ds, Clock.systemUTC(), 7).run();
        assertThat(r.rolledUp()).isEqualTo(3); // the three closed buckets; the current one stays live
        assertThat(num("SELECT count(*) FROM metrics_5m_data")).isEqualTo(3);
        assertThat(rollupDiff()).as("materialised + live").isZero();

        insert(sample(2, t0 + " + interval '3 minutes'", 10, "null")); // late, for a materialised bucket
        assertThat(num("SELECT count(*) FROM metrics_5m_dirty")).isEqualTo(1);
        new Maintenance(ds, Clock.systemUTC(), 7).run();
        assertThat(num("SELECT count(*) FROM metrics_5m_dirty")).isZero();
        assertThat(rollupDiff()).as("late sample folded in").isZero();
        assertThat(num("SELECT round(cpu_percent) FROM metrics_5m WHERE system_id = 2 AND bucket = " + t0)).isEqualTo(50);
    }

    /** The SQLSTATE a statement fails with (the message contract's bounds as constraints, migration V8). */
    private String sqlState(String s) {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(s);
            return "00000";
        } catch (java.sql.SQLException e) {
            return e.getSQLState();
        }
    }

    private static String boundsSample(int system, String at, double mbps, long uptime, int users) {
        return "INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES (" + system + ", " + at
                + ", 1, 2, 3, " + mbps + ", 0, null, " + uptime + ", " + users + ")";
    }

    @Test
    void rowsAtTheBoundsAreStoredRowsBeyondThemRefused() {
        sql(boundsSample(1, "now()", Bounds.MBPS_MAX, Bounds.UPTIME_SECONDS_MAX, Bounds.USERS_MAX));
        for (String bad : new String[] {
                boundsSample(1, "now() - interval '1 s'", Math.nextUp(Bounds.MBPS_MAX), 0, 0),
                boundsSample(1, "now() - interval '2 s'", Double.MAX_VALUE, 0, 0),
                boundsSample(1, "now() - interval '3 s'", 0, Bounds.UPTIME_SECONDS_MAX + 1, 0),
                boundsSample(1, "now() - interval '4 s'", 0, 0, Bounds.USERS_MAX + 1),
                boundsSample(1, "TIMESTAMPTZ '1999-12-31 23:59:59Z'", 0, 0, 0),
                boundsSample(1, "TIMESTAMPTZ '" + Bounds.LATEST + "'", 0, 0, 0),
                "INSERT INTO alerts (system_id, alert_type, severity, value, occurred_at) VALUES (1, 'x', 'info', "
                        + Math.nextUp(Bounds.ALERT_VALUE_MAX) + ", now())",
                "INSERT INTO systems (hostname) VALUES (repeat('a', " + (Bounds.HOSTNAME_MAX + 1) + "))",
                "INSERT INTO systems (host_id) VALUES (repeat('a', " + (Bounds.HOST_ID_MAX + 1) + "))"}) {
            assertThat(sqlState(bad)).as(bad).isEqualTo("23514");
        }
    }

    @Test
    void producerIdsAreAdoptedOnlyWithinTheirRangeAndNeverExhaustASequence() throws Exception {
        sql("SELECT fw_adopt_ids('systems', ARRAY[" + Bounds.PRODUCER_ID_MAX + "]::bigint[])");
        sql("INSERT INTO systems (hostname) VALUES ('generated')");
        assertThat(num("SELECT id FROM systems WHERE hostname = 'generated'")).isEqualTo(Bounds.PRODUCER_ID_MAX + 1);
        for (long bad : new long[] {Bounds.PRODUCER_ID_MAX + 1, Long.MAX_VALUE, 0, -1}) {
            assertThat(sqlState("SELECT fw_adopt_ids('scans', ARRAY[5, " + bad + "]::bigint[])")).isEqualTo("22003");
        }
        assertThat(num("SELECT count(*) FROM scans")).as("nothing of a refused batch adopted").isZero();
        assertThat(sqlState("SELECT fw_adopt_ids('departments', ARRAY[" + (Bounds.DEPT_ID_MAX + 1) + "]::bigint[])"))
                .isEqualTo("22003");
        sql("SELECT fw_adopt_ids('departments', ARRAY[" + Bounds.DEPT_ID_MAX + "]::bigint[])");
        sql("INSERT INTO departments (name) VALUES ('generated')");
        assertThat(num("SELECT id FROM departments WHERE name = 'generated'")).isEqualTo(Bounds.DEPT_ID_MAX + 1);
    }

    /**
     * Two samples near the largest double for one host make avg() overflow. Inserted behind the contract's back (its
     * constraint dropped), they must cost only their own bucket: the rest of the fleet is rolled up, the run
     * succeeds and logs the skipped bucket.
     */
    @Test
    void aRowBehindTheContractsBackCostsOnlyItsOwnBucket() throws Exception {
        sql("ALTER TABLE metrics DROP CONSTRAINT metrics_contract_bounds");
        String t0 = "date_bin(interval '5 minutes', now() - interval '1 hour', timestamptz 'epoch')";
        sql(boundsSample(1, t0, 1.7e308, 1, 1));
        sql(boundsSample(1, t0 + " + interval '1 minute'", 1.7e308, 1, 1));
        sql(boundsSample(1, t0 + " + interval '10 minutes'", 5, 1, 1));
        sql(boundsSample(2, t0, 7, 1, 1));
        sql(boundsSample(2, t0 + " + interval '10 minutes'", 9, 1, 1));
        Logger log = (Logger) LoggerFactory.getLogger(Maintenance.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            Maintenance.Result r = new Maintenance(ds, Clock.systemUTC(), 7).run();
            assertThat(r.rolledUp()).as("every bucket but the poisoned one").isEqualTo(3);
        } finally {
            log.detachAppender(seen);
        }
        assertThat(num("SELECT count(*) FROM metrics_5m_data WHERE system_id = 2")).isEqualTo(2);
        assertThat(num("SELECT count(*) FROM metrics_5m_data WHERE system_id = 1")).isEqualTo(1);
        assertThat(num("SELECT count(*) FROM metrics_5m WHERE system_id = 1")).as("the view reads").isEqualTo(1);
        assertThat(seen.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("skipped system 1 bucket").contains("overflow"));
        // the next run is quiet again
        assertThat(new Maintenance(ds, Clock.systemUTC(), 7).run().skipped()).isFalse();
    }
}
