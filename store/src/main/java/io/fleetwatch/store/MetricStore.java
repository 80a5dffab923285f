package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.utc;

import com.fasterxml.jackson.annotation.JsonProperty;
import db.migration.V7__Metrics_rollups;
import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.fleetwatch.messages.MetricsMessage;
import jakarta.annotation.Nullable;
import java.io.StringReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
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

    /**
     * The values of a sample, one typed field per metric of the catalog (its JSON name is the metric's name); in a
     * bucket, means (maxima where the catalog's rollup says so). A metric the host does not report is null, as is
     * every metric added after the sample was stored. Filled by name ({@link #sample}), so a new metric is one more
     * component here; {@code MetricCatalogCoverageIT} holds the components equal to the catalog.
     */
    public record Metrics(@JsonProperty("cpu_percent") @Nullable Double cpuPercent,
                          @JsonProperty("ram_percent") @Nullable Double ramPercent,
                          @JsonProperty("disk_percent") @Nullable Double diskPercent,
                          @JsonProperty("network_sent_mbps") @Nullable Double networkSentMbps,
                          @JsonProperty("network_recv_mbps") @Nullable Double networkRecvMbps,
                          @JsonProperty("gpu_percent") @Nullable Double gpuPercent,
                          @JsonProperty("uptime_seconds") @Nullable Long uptimeSeconds,
                          @JsonProperty("logged_in_users") @Nullable Integer loggedInUsers,
                          @JsonProperty("load_avg_1") @Nullable Double loadAvg1,
                          @JsonProperty("load_avg_5") @Nullable Double loadAvg5,
                          @JsonProperty("load_avg_15") @Nullable Double loadAvg15,
                          @JsonProperty("swap_usage") @Nullable Double swapUsage,
                          @JsonProperty("disk_read_mbps") @Nullable Double diskReadMbps,
                          @JsonProperty("disk_write_mbps") @Nullable Double diskWriteMbps,
                          @JsonProperty("cpu_temperature") @Nullable Double cpuTemperature,
                          @JsonProperty("gpu_memory_usage") @Nullable Double gpuMemoryUsage,
                          @JsonProperty("gpu_temperature") @Nullable Double gpuTemperature,
                          @JsonProperty("process_count") @Nullable Integer processCount,
                          @JsonProperty("filesystem_usage_max") @Nullable Double filesystemUsageMax) {

        /** The contract's first eight metrics; the others null (tests, samples stored before they existed). */
        public Metrics(Double cpuPercent, Double ramPercent, Double diskPercent, Double networkSentMbps,
                       Double networkRecvMbps, Double gpuPercent, Long uptimeSeconds, Integer loggedInUsers) {
            this(cpuPercent, ramPercent, diskPercent, networkSentMbps, networkRecvMbps, gpuPercent, uptimeSeconds,
                    loggedInUsers, null, null, null, null, null, null, null, null, null, null, null);
        }

        /** The metric names of the components, in order (their {@code @JsonProperty}). */
        public static List<String> names() {
            return Arrays.stream(Metrics.class.getRecordComponents())
                    .map(c -> c.getAccessor().getAnnotation(JsonProperty.class).value()).toList();
        }

        /** The value of a metric by its catalog name. */
        public Number get(String name) {
            int i = names().indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no metric " + name + " in " + Metrics.class.getName());
            }
            try {
                return (Number) Metrics.class.getRecordComponents()[i].getAccessor().invoke(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** One mounted filesystem of a sample, as stored in {@code filesystem_metrics}. */
    public record Filesystem(String mount, double usage, @Nullable Double sizeGb) {}

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

    /** The metrics this store writes and reads: the catalog's (the schema check holds the database to it). */
    static final MetricCatalog CATALOG = MetricCatalog.DEFAULT;

    /** The COPY columns: the key, one column per metric of the catalog, the producer's sequence number. */
    public static final String COLUMNS = "system_id, collected_at, " + String.join(", ", CATALOG.names())
            + ", source_seq";

    private static final String STAGING = "CREATE TEMP TABLE IF NOT EXISTS metrics_in (system_id bigint,"
            + " collected_at timestamptz, " + CATALOG.all().stream().map(m -> m.name() + " " + m.type().sql())
            .collect(Collectors.joining(", ")) + ", source_seq bigint) ON COMMIT DELETE ROWS";

    /** Raw rows, bucketed rows and rollup rows of a chart: one select expression per metric. */
    private static final String RAW_COLUMNS = String.join(", ", CATALOG.names());
    private static final String BUCKET_COLUMNS = CATALOG.all().stream()
            .map(m -> (m.rollup() == Metric.Rollup.MEAN ? "avg(" : "max(") + m.name() + ") AS " + m.name())
            .collect(Collectors.joining(", "));
    private static final String ROLLUP_COLUMNS = CATALOG.all().stream()
            .map(m -> m.rollup() == Metric.Rollup.MEAN ? "sum(" + m.name() + " * samples) / nullif(sum(samples)"
                    + " FILTER (WHERE " + m.name() + " IS NOT NULL), 0) AS " + m.name()
                    : "max(" + m.name() + ") AS " + m.name())
            .collect(Collectors.joining(", "));

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
            insertFilesystems(h.getConnection(), batch, systemOfHost);
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
            h.execute(STAGING);
            copyIn(copy, "COPY metrics_in FROM STDIN", rows);
            h.execute("INSERT INTO metrics (" + COLUMNS + ") SELECT " + COLUMNS + " FROM metrics_in"
                    + " ON CONFLICT (system_id, collected_at) DO NOTHING");
        });
    }

    /**
     * The batch's filesystems, one row per (sample, mount), in one statement; a redelivered sample's rows are
     * already there and skipped.
     */
    private static void insertFilesystems(Connection c, List<MetricsMessage> batch, Map<String, Long> systemOfHost)
            throws SQLException {
        List<Object> sys = new ArrayList<>();
        List<Object> at = new ArrayList<>();
        List<Object> mount = new ArrayList<>();
        List<Object> usage = new ArrayList<>();
        List<Object> size = new ArrayList<>();
        for (MetricsMessage m : batch) {
            for (MetricsMessage.Filesystem f : m.metrics().filesystems()) {
                sys.add(system(m, systemOfHost));
                at.add(utc(m.collectedAt()));
                mount.add(f.mount());
                usage.add(f.usage());
                size.add(f.sizeGb());
            }
        }
        if (sys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO filesystem_metrics (system_id, collected_at, mount,"
                + " usage, size_gb) SELECT * FROM unnest(?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
            ps.setArray(1, c.createArrayOf("bigint", sys.toArray()));
            ps.setArray(2, c.createArrayOf("timestamptz", at.toArray()));
            ps.setArray(3, c.createArrayOf("text", mount.toArray()));
            ps.setArray(4, c.createArrayOf("float8", usage.toArray()));
            ps.setArray(5, c.createArrayOf("float8", size.toArray()));
            ps.executeUpdate();
        }
    }

    private static long system(MetricsMessage m, Map<String, Long> systemOfHost) {
        Long system = m.systemId() != null ? m.systemId() : systemOfHost.get(m.hostId());
        if (system == null) { // never write "null" into the key: a bug, not bad input, so no dead-lettering
            throw new IllegalStateException("no system id resolved for host_id " + m.hostId());
        }
        return system;
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
            sb.append(system(m, systemOfHost)).append('\t').append(m.collectedAt()).append('\t');
            for (String name : NAMES) {
                Number v = x.get(name);
                sb.append(v == null ? "\\N" : v).append('\t');
            }
            sb.append(m.seq() == null ? "\\N" : m.seq()).append('\n');
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
            sql = "SELECT date_bin(CAST(:width AS interval), bucket, TIMESTAMPTZ '1970-01-01') AS collected_at, "
                    + ROLLUP_COLUMNS + " FROM " + rollup + " WHERE system_id = :id AND bucket >= :from AND bucket < :to"
                    + " GROUP BY 1 ORDER BY 1 LIMIT :limit";
        } else if (width == null) {
            sql = "SELECT collected_at, " + RAW_COLUMNS + " FROM metrics WHERE system_id = :id AND collected_at >= :from"
                    + " AND collected_at < :to ORDER BY collected_at LIMIT :limit";
        } else {
            sql = "SELECT date_bin(CAST(:width AS interval), collected_at, TIMESTAMPTZ '1970-01-01') AS collected_at, "
                    + BUCKET_COLUMNS + " FROM metrics WHERE system_id = :id AND collected_at >= :from"
                    + " AND collected_at < :to GROUP BY 1 ORDER BY 1 LIMIT :limit";
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

    /**
     * {@link #requireCatalogColumns} of the catalog the process was built with, at the start of the consumer and the
     * API; a database that cannot be reached yet is left to their retries.
     */
    public static void requireCatalogColumnsAtStart(javax.sql.DataSource dataSource) {
        try {
            new MetricStore(Stores.jdbi(dataSource)).requireCatalogColumns(CATALOG);
        } catch (org.jdbi.v3.core.ConnectionException e) {
            // unreachable now: the consumer retries its batches, the API answers 503 on /readyz
        }
    }

    /** The mounted filesystems of a host's latest sample that had any, by mount. */
    public List<Filesystem> filesystems(long systemId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT mount, usage, size_gb FROM filesystem_metrics"
                        + " WHERE system_id = :id AND collected_at = (SELECT max(collected_at) FROM filesystem_metrics"
                        + " WHERE system_id = :id) ORDER BY mount")
                .bind("id", systemId)
                .map((rs, ctx) -> new Filesystem(rs.getString("mount"), rs.getDouble("usage"),
                        rs.getObject("size_gb") == null ? null : rs.getDouble("size_gb")))
                .list());
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

    /** A row's time and metrics, each read by its catalog name into its component of {@link Metrics}. */
    static Sample sample(ResultSet rs) throws SQLException {
        Object[] args = new Object[METRIC_COMPONENTS.length];
        for (int i = 0; i < args.length; i++) {
            Object v = rs.getObject(COMPONENT_NAMES.get(i));
            Class<?> type = METRIC_COMPONENTS[i].getType();
            args[i] = v == null ? null : type == Double.class ? (Object) ((Number) v).doubleValue()
                    : type == Long.class ? (Object) ((Number) v).longValue() : (Object) ((Number) v).intValue();
        }
        try {
            return new Sample(instant(rs, "collected_at"), METRICS_CONSTRUCTOR.newInstance(args));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + Metrics.class.getName(), e);
        }
    }

    private static final String[] NAMES = CATALOG.names().toArray(String[]::new);
    private static final RecordComponent[] METRIC_COMPONENTS = Metrics.class.getRecordComponents();
    private static final List<String> COMPONENT_NAMES = Metrics.names();
    private static final Constructor<Metrics> METRICS_CONSTRUCTOR = canonical();

    private static Constructor<Metrics> canonical() {
        try {
            return Metrics.class.getDeclaredConstructor(Arrays.stream(METRIC_COMPONENTS).map(RecordComponent::getType)
                    .toArray(Class<?>[]::new));
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Refuses a database that lacks a column of a metric of {@code catalog}, naming it: a metric added to the catalog
     * without its migration (or a database not migrated) would otherwise fail at the first COPY or chart. The consumer
     * and the API call it at start.
     */
    public void requireCatalogColumns(MetricCatalog catalog) {
        if (!jdbi.withHandle(h -> h.createQuery("SELECT to_regclass('metrics') IS NOT NULL").mapTo(Boolean.class)
                .one())) {
            return; // not migrated at all: the health checks and the first batch say so, as before
        }
        List<String> tables = new ArrayList<>();
        tables.add("metrics");
        ROLLUPS.forEach(r -> tables.add(r.name()));
        Map<String, java.util.Set<String>> have = jdbi.withHandle(h -> h.createQuery("SELECT table_name, column_name"
                        + " FROM information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name IN (<tables>)")
                .bindList("tables", tables)
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).list().stream()
                .collect(Collectors.groupingBy(Map.Entry::getKey,
                        Collectors.mapping(Map.Entry::getValue, Collectors.toSet()))));
        List<String> missing = new ArrayList<>();
        for (String t : tables) {
            for (String name : catalog.names()) {
                if (!have.getOrDefault(t, java.util.Set.of()).contains(name)) {
                    missing.add(t + "." + name);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("the database lacks the column" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + " of the metric catalog: run 'fleetwatch db migrate' (a metric added"
                    + " to the catalog needs its migration, see messages/README.md)");
        }
    }

}
