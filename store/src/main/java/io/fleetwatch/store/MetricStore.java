package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.nullableDouble;
import static io.fleetwatch.store.Stores.nullableInt;
import static io.fleetwatch.store.Stores.nullableLong;
import static io.fleetwatch.store.Stores.utc;

import db.migration.V7__Metrics_rollups;
import io.fleetwatch.messages.MetricsMessage;
import jakarta.annotation.Nullable;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Owner of {@code metrics} and its rollups ({@code metrics_5m} and the levels of {@link V7__Metrics_rollups#LEVELS}):
 * the batch insert of the consumer, host charts (raw, bucketed, or from the rollup that fits the range) and the
 * fleet overview.
 */
public final class MetricStore {
    /** One sample (or bucket) of a host: its time and values; a metric the host does not have is null. */
    public record Sample(Instant collectedAt, Metrics metrics) {
        public Sample {
            Objects.requireNonNull(collectedAt, "collectedAt");
            Objects.requireNonNull(metrics, "metrics");
        }
    }

    /** The values of a sample; in a bucket, means (maxima for uptime and users). */
    public record Metrics(@Nullable Double cpuPercent, @Nullable Double ramPercent, @Nullable Double diskPercent,
                          @Nullable Double networkSentMbps, @Nullable Double networkRecvMbps,
                          @Nullable Double gpuPercent, @Nullable Long uptimeSeconds, @Nullable Integer loggedInUsers) {}

    /** A chart's rows and where they were read from ({@code metrics} or a rollup's name). */
    public record Chart(String source, List<Sample> samples) {
        public Chart {
            Objects.requireNonNull(source, "source");
            samples = List.copyOf(samples);
        }
    }

    /** A rollup a chart can read: its name and bucket width. */
    public record Rollup(String name, Duration width) {}

    /** Ranges longer than this, in buckets of 5 minutes or more, are read from a rollup. */
    public static final Duration ROLLUP_AFTER = Duration.ofHours(24);

    /**
     * The rollups, coarsest first: {@code metrics_5m} (5-minute buckets, the source of the first level) and the
     * levels above it as V7 defines them.
     */
    public static final List<Rollup> ROLLUPS = Stream.concat(
                    Stream.of(new Rollup(V7__Metrics_rollups.LEVELS.get(0).source(), Duration.ofMinutes(5))),
                    V7__Metrics_rollups.LEVELS.stream().map(l -> new Rollup(l.name(), interval(l.width()))))
            .sorted((a, b) -> b.width().compareTo(a.width()))
            .toList();

    /** Every host with its latest sample and open alerts, down hosts first (public: the API benchmark's baseline). */
    public static final String OVERVIEW_SQL = SystemStore.WITH_LATEST
            + " ORDER BY s.status = 'down' DESC, s.hostname NULLS LAST, s.id";

    static final String COLUMNS = "system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
            + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, source_seq";

    private final Jdbi jdbi;

    public MetricStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    /** "1 hour", "1 day", "5 minutes": a PostgreSQL interval of one unit, as the rollup levels write them. */
    static Duration interval(String text) {
        String[] p = text.trim().split("\\s+");
        long n = Long.parseLong(p[0]);
        String unit = p[1].toLowerCase(Locale.ROOT).replaceAll("s$", "");
        return switch (unit) {
            case "minute" -> Duration.ofMinutes(n);
            case "hour" -> Duration.ofHours(n);
            case "day" -> Duration.ofDays(n);
            default -> throw new IllegalArgumentException("unsupported interval unit in '" + text + "'");
        };
    }

    /** The rollup a chart of this bucket width (null: raw) over this range reads, or null for the raw samples. */
    public static String rollupFor(Duration width, Duration range) {
        if (width == null || range.compareTo(ROLLUP_AFTER) <= 0) {
            return null;
        }
        return ROLLUPS.stream().filter(r -> width.toSeconds() % r.width().toSeconds() == 0).map(Rollup::name)
                .findFirst().orElse(null);
    }

    // ---- writes

    /**
     * Inserts a batch of samples; {@code systemOfHost} gives the system of each sample that names only its agent host.
     * Fast path: COPY straight into {@code metrics} under a savepoint, which costs what a raw COPY costs. A batch
     * holding a sample that is already stored (a redelivery) makes that COPY fail on the unique key; then the batch
     * goes through a temp table and {@code INSERT … ON CONFLICT DO NOTHING}, which skips the duplicates. Both ways the
     * statement triggers (alerts, rollup) fire once for the batch and see only the rows really inserted. Runs in the
     * caller's transaction when there is one.
     */
    public void insert(List<MetricsMessage> batch, Map<String, Long> systemOfHost) throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        String rows = copyText(batch, systemOfHost);
        jdbi.<SQLException>useTransaction(h -> {
            Connection c = h.getConnection();
            CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
            Savepoint sp = c.setSavepoint();
            try {
                copyIn(copy, "COPY metrics (" + COLUMNS + ") FROM STDIN", rows);
                c.releaseSavepoint(sp);
                return;
            } catch (SQLException e) {
                if (!"23505".equals(e.getSQLState())) { // not a duplicate: let the caller classify it
                    throw e;
                }
                c.rollback(sp);
            }
            h.execute("CREATE TEMP TABLE IF NOT EXISTS metrics_in (system_id bigint, collected_at timestamptz,"
                    + " cpu_percent float8, ram_percent float8, disk_percent float8, network_sent_mbps float8,"
                    + " network_recv_mbps float8, gpu_percent float8, uptime_seconds bigint, logged_in_users int,"
                    + " source_seq bigint) ON COMMIT DELETE ROWS");
            copyIn(copy, "COPY metrics_in FROM STDIN", rows);
            h.execute("INSERT INTO metrics (" + COLUMNS + ") SELECT " + COLUMNS + " FROM metrics_in"
                    + " ON CONFLICT (system_id, collected_at) DO NOTHING");
        });
    }

    private static void copyIn(CopyManager copy, String sql, String rows) throws SQLException {
        try {
            copy.copyIn(sql, new StringReader(rows));
        } catch (java.io.IOException e) { // reading a String: cannot happen
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The batch in COPY text format (tab-separated, \\N for null); values are validated numbers and instants. */
    private static String copyText(List<MetricsMessage> batch, Map<String, Long> systemOfHost) {
        StringBuilder sb = new StringBuilder(batch.size() * 96);
        for (MetricsMessage m : batch) {
            MetricsMessage.Metrics x = m.metrics();
            Long system = m.systemId() != null ? m.systemId() : systemOfHost.get(m.hostId());
            if (system == null) { // never write "null" into the key: a bug, not bad input, so no dead-lettering
                throw new IllegalStateException("no system id resolved for host_id " + m.hostId());
            }
            sb.append(system).append('\t')
                    .append(m.collectedAt()).append('\t')
                    .append(x.cpuPercent()).append('\t')
                    .append(x.ramPercent()).append('\t')
                    .append(x.diskPercent()).append('\t')
                    .append(x.networkSentMbps()).append('\t')
                    .append(x.networkRecvMbps()).append('\t')
                    .append(x.gpuPercent() == null ? "\\N" : x.gpuPercent()).append('\t')
                    .append(x.uptimeSeconds()).append('\t')
                    .append(x.loggedInUsers()).append('\t')
                    .append(m.seq() == null ? "\\N" : m.seq()).append('\n');
        }
        return sb.toString();
    }

    // ---- reads

    /**
     * A host's samples in [from, to), oldest first, at most {@code limit}: raw ({@code width} null) or in buckets of
     * {@code width} aligned to the epoch (a bucket's time is its start; means, max for users, last for uptime).
     * Ranges longer than {@link #ROLLUP_AFTER} read the coarsest rollup whose buckets divide the width: a week of a
     * host is 2,016 five-minute rows instead of 60,480 samples. Rollup means are re-weighted by sample counts, so they
     * equal the raw means when every sample has the metric.
     */
    public Chart chart(long systemId, Instant from, Instant to, Duration width, int limit) {
        String rollup = rollupFor(width, Duration.between(from, to));
        String sql;
        if (rollup != null) {
            sql = """
                SELECT date_bin(CAST(:width AS interval), bucket, TIMESTAMPTZ '1970-01-01') AS collected_at,
                       sum(cpu_percent * samples) / nullif(sum(samples) FILTER (WHERE cpu_percent IS NOT NULL), 0) AS cpu_percent,
                       sum(ram_percent * samples) / nullif(sum(samples) FILTER (WHERE ram_percent IS NOT NULL), 0) AS ram_percent,
                       sum(disk_percent * samples) / nullif(sum(samples) FILTER (WHERE disk_percent IS NOT NULL), 0) AS disk_percent,
                       sum(network_sent_mbps * samples)
                           / nullif(sum(samples) FILTER (WHERE network_sent_mbps IS NOT NULL), 0) AS network_sent_mbps,
                       sum(network_recv_mbps * samples)
                           / nullif(sum(samples) FILTER (WHERE network_recv_mbps IS NOT NULL), 0) AS network_recv_mbps,
                       sum(gpu_percent * samples) / nullif(sum(samples) FILTER (WHERE gpu_percent IS NOT NULL), 0) AS gpu_percent,
                       max(uptime_seconds) AS uptime_seconds, max(logged_in_users) AS logged_in_users
                FROM %s WHERE system_id = :id AND bucket >= :from AND bucket < :to
                GROUP BY 1 ORDER BY 1 LIMIT :limit""".formatted(rollup);
        } else if (width == null) {
            sql = """
                SELECT collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps, network_recv_mbps,
                       gpu_percent, uptime_seconds, logged_in_users
                FROM metrics WHERE system_id = :id AND collected_at >= :from AND collected_at < :to
                ORDER BY collected_at LIMIT :limit""";
        } else {
            sql = """
                SELECT date_bin(CAST(:width AS interval), collected_at, TIMESTAMPTZ '1970-01-01') AS collected_at,
                       avg(cpu_percent) AS cpu_percent, avg(ram_percent) AS ram_percent,
                       avg(disk_percent) AS disk_percent, avg(network_sent_mbps) AS network_sent_mbps,
                       avg(network_recv_mbps) AS network_recv_mbps, avg(gpu_percent) AS gpu_percent,
                       max(uptime_seconds) AS uptime_seconds, max(logged_in_users) AS logged_in_users
                FROM metrics WHERE system_id = :id AND collected_at >= :from AND collected_at < :to
                GROUP BY 1 ORDER BY 1 LIMIT :limit""";
        }
        List<Sample> rows = jdbi.withHandle(h -> h.createQuery(sql)
                .bind("width", width == null ? null : width.toSeconds() + " seconds")
                .bind("id", systemId)
                .bind("from", utc(from))
                .bind("to", utc(to))
                .bind("limit", limit)
                .map((rs, ctx) -> sample(rs))
                .list());
        return new Chart(rollup != null ? rollup : "metrics", rows);
    }

    /** Every host with its latest sample and open alerts, down hosts first, then by hostname. */
    public List<SystemStore.Host> overview() {
        return jdbi.withHandle(h -> h.createQuery(OVERVIEW_SQL).map((rs, ctx) -> SystemStore.host(rs)).list());
    }

    /** Whether the sample of the agent host {@code hostId} taken at {@code at} is stored. */
    public boolean stored(String hostId, Instant at) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM metrics m JOIN systems s ON s.id = m.system_id"
                        + " WHERE s.host_id = :h AND m.collected_at = :t")
                .bind("h", hostId).bind("t", utc(at)).mapTo(Long.class).one() > 0);
    }

    /**
     * The engine the metrics are stored on ({@code timescaledb} or {@code postgresql}), as the migrations recorded
     * it; empty while the database is not migrated.
     */
    public Optional<String> storageEngine() {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM fleetwatch_meta WHERE key = 'metrics_storage'")
                .mapTo(String.class).findOne());
    }

    static Sample sample(ResultSet rs) throws SQLException {
        return new Sample(instant(rs, "collected_at"), new Metrics(nullableDouble(rs, "cpu_percent"),
                nullableDouble(rs, "ram_percent"), nullableDouble(rs, "disk_percent"),
                nullableDouble(rs, "network_sent_mbps"), nullableDouble(rs, "network_recv_mbps"),
                nullableDouble(rs, "gpu_percent"), nullableLong(rs, "uptime_seconds"),
                nullableInt(rs, "logged_in_users")));
    }

}
