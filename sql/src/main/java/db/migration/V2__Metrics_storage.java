package db.migration;

import io.fleetwatch.sql.MetricsStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates {@code metrics}: a TimescaleDB hypertable when the extension can be created, else a PostgreSQL table
 * range-partitioned by day (with a default partition, so a sample outside the prepared days is still stored).
 * The choice is recorded in {@code fleetwatch_meta} ({@code metrics_storage}); the placeholder {@code timescaledb}
 * ({@code auto}, {@code require}, {@code off}) overrides the detection.
 */
@SuppressWarnings("checkstyle:TypeName")
public class V2__Metrics_storage extends BaseJavaMigration {
    private static final Logger LOG = LoggerFactory.getLogger(V2__Metrics_storage.class);

    /** The eight metrics of the metrics message (docs/contract.md); (system_id, collected_at) is unique so a redelivered sample lands once. */
    static final String METRICS_TABLE = """
            CREATE TABLE metrics (
                system_id         bigint NOT NULL REFERENCES systems (id),
                collected_at      timestamptz NOT NULL,
                cpu_percent       double precision NOT NULL CHECK (cpu_percent BETWEEN 0 AND 100),
                ram_percent       double precision NOT NULL CHECK (ram_percent BETWEEN 0 AND 100),
                disk_percent      double precision NOT NULL CHECK (disk_percent BETWEEN 0 AND 100),
                network_sent_mbps double precision NOT NULL CHECK (network_sent_mbps >= 0),
                network_recv_mbps double precision NOT NULL CHECK (network_recv_mbps >= 0),
                gpu_percent       double precision CHECK (gpu_percent BETWEEN 0 AND 100),
                uptime_seconds    bigint NOT NULL CHECK (uptime_seconds >= 0),
                logged_in_users   integer NOT NULL CHECK (logged_in_users >= 0),
                source_seq        bigint,
                received_at       timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT metrics_system_time_uq UNIQUE (system_id, collected_at)
            )""";

    /**
     * Creates the daily partitions [first_day, first_day + days) that do not exist yet. Rows already sitting in the
     * default partition for such a day are moved into the new partition first (attaching would fail otherwise).
     */
    static final String CREATE_PARTITIONS = """
            CREATE FUNCTION fw_metrics_create_partitions(first_day date, days integer) RETURNS integer
                LANGUAGE plpgsql AS $$
            DECLARE
                d       date;
                lo      timestamptz;
                hi      timestamptz;
                part    text;
                created integer := 0;
            BEGIN
                FOR i IN 0 .. days - 1 LOOP
                    d := first_day + i;
                    part := 'metrics_' || to_char(d, 'YYYYMMDD');
                    CONTINUE WHEN to_regclass(part) IS NOT NULL;
                    lo := d::timestamp AT TIME ZONE 'UTC';
                    hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
                    EXECUTE format('CREATE TABLE %I (LIKE metrics INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
                    EXECUTE format('INSERT INTO %I SELECT * FROM metrics_default WHERE collected_at >= %L AND collected_at < %L',
                                   part, lo, hi);
                    EXECUTE format('DELETE FROM metrics_default WHERE collected_at >= %L AND collected_at < %L', lo, hi);
                    EXECUTE format('ALTER TABLE metrics ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
                    created := created + 1;
                END LOOP;
                RETURN created;
            END;
            $$""";

    /** Drops daily partitions wholly older than the cutoff and deletes default-partition rows older than it. */
    static final String DROP_PARTITIONS = """
            CREATE FUNCTION fw_metrics_drop_partitions(cutoff timestamptz) RETURNS integer
                LANGUAGE plpgsql AS $$
            DECLARE
                p       record;
                dropped integer := 0;
            BEGIN
                FOR p IN
                    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'metrics'::regclass AND c.relname ~ '^metrics_[0-9]{8}$'
                LOOP
                    IF (to_date(substr(p.relname, 9), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff THEN
                        EXECUTE format('DROP TABLE %I', p.relname);
                        dropped := dropped + 1;
                    END IF;
                END LOOP;
                DELETE FROM metrics_default WHERE collected_at < cutoff;
                RETURN dropped;
            END;
            $$""";

    @Override
    public void migrate(Context context) throws Exception {
        String mode = context.getConfiguration().getPlaceholders().getOrDefault(MetricsStorage.PLACEHOLDER, "auto");
        Connection c = context.getConnection();
        MetricsStorage.Detection d = "off".equals(mode)
                ? new MetricsStorage.Detection(false, "timescaledb=off") : MetricsStorage.enable(c);
        boolean useTimescale = switch (mode) {
            case "off" -> false;
            case "require" -> {
                if (!d.usable()) {
                    throw new IllegalStateException("timescaledb=require but " + d.reason());
                }
                yield true;
            }
            case "auto" -> d.usable();
            default -> throw new IllegalArgumentException("timescaledb must be auto, require or off, not '" + mode + "'");
        };
        try (Statement st = c.createStatement()) {
            if (useTimescale) {
                st.execute(METRICS_TABLE);
                // One-day chunks: a thousand hosts at 10 s intervals is ~8.6 M rows a day, a comfortable chunk.
                st.execute("SELECT create_hypertable('metrics', 'collected_at', chunk_time_interval => INTERVAL '1 day')");
                LOG.info("metrics is a TimescaleDB hypertable");
            } else {
                st.execute(METRICS_TABLE + " PARTITION BY RANGE (collected_at)");
                st.execute("CREATE TABLE metrics_default PARTITION OF metrics DEFAULT");
                st.execute("CREATE INDEX metrics_time_idx ON metrics (collected_at DESC)");
                st.execute(CREATE_PARTITIONS);
                st.execute(DROP_PARTITIONS);
                // Yesterday to a week ahead; the maintenance job keeps creating ahead and dropping behind.
                st.execute("SELECT fw_metrics_create_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9)");
                LOG.info("metrics is a PostgreSQL table partitioned by day ({})", d.reason());
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO fleetwatch_meta (key, value) VALUES ('metrics_storage', ?)"
                        + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()")) {
            ps.setString(1, useTimescale ? MetricsStorage.TIMESCALEDB : MetricsStorage.POSTGRESQL);
            ps.executeUpdate();
        }
    }
}
