package io.fleetwatch.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Systems and their metrics. Field names follow the message contract (snake_case). */
@Controller("/api/systems")
public final class SystemsController {
    static final int MAX_LIMIT = 10_000;
    static final Map<String, Duration> BUCKETS = Map.of("1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5),
            "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));
    /** Ranges longer than this, in buckets of 5 minutes or more, are read from a rollup. */
    static final Duration ROLLUP_AFTER = Duration.ofHours(24);
    /** The rollups, coarsest first: a long range reads the coarsest one whose buckets divide the chart's. */
    static final List<Map.Entry<String, Duration>> ROLLUPS = List.of(Map.entry("metrics_1d", Duration.ofDays(1)),
            Map.entry("metrics_1h", Duration.ofHours(1)), Map.entry("metrics_5m", Duration.ofMinutes(5)));

    /** The rollup a chart of this bucket width over this range reads, or null for the raw samples. */
    static String rollupFor(Duration width, Duration range) {
        if (width == null || range.compareTo(ROLLUP_AFTER) <= 0) {
            return null;
        }
        return ROLLUPS.stream().filter(r -> width.toSeconds() % r.getValue().toSeconds() == 0).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private final Jdbi jdbi;
    private final Clock clock;

    public SystemsController(Reads reads, Clock clock) {
        this.jdbi = reads.jdbi(); // read-only endpoints
        this.clock = clock;
    }

    /**
     * Systems with their latest sample (null when none yet), by id; filters: {@code dept}, {@code status} (up, down,
     * unknown), {@code search} (hostname, IP or MAC contains, case-insensitive); paged by {@code limit} (default
     * 500, max 10 000) and {@code offset}; the total before paging is in {@code X-Total-Count}.
     */
    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> list(@Nullable @QueryValue Integer dept, @Nullable @QueryValue String status,
                                @Nullable @QueryValue String search, @Nullable @QueryValue Integer limit,
                                @Nullable @QueryValue Integer offset) {
        if (status != null && !List.of("up", "down", "unknown").contains(status)) {
            return Problems.badRequest("status must be up, down or unknown");
        }
        if (search != null && search.length() > 200) {
            return Problems.badRequest("search must be at most 200 characters");
        }
        if (search != null && search.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // PostgreSQL text cannot hold NUL at all; no host name holds any control character
            return Problems.badRequest("search must not contain control characters");
        }
        io.fleetwatch.api.internal.Page page = io.fleetwatch.api.internal.Page.of(limit, offset, 500, MAX_LIMIT);
        int n = page.limit();
        int skip = page.offset();
        String where = " WHERE (CAST(:dept AS integer) IS NULL OR s.dept_id = :dept)"
                + " AND (CAST(:status AS text) IS NULL OR s.status = :status)"
                + " AND (CAST(:search AS text) IS NULL OR s.hostname ILIKE :like ESCAPE '!'"
                + " OR host(s.ip_address) LIKE :like ESCAPE '!' OR s.mac_address::text ILIKE :like ESCAPE '!')";
        // '!' escapes: a backslash inside a quoted literal confuses Jdbi's parser of :named parameters
        String like = search == null ? null : "%" + search.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        long total = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems s" + where)
                .bind("dept", dept).bind("status", status).bind("search", search).bind("like", like)
                .mapTo(Long.class).one());
        List<Map<String, Object>> rows = jdbi.withHandle(h -> h.createQuery(Rows.SYSTEM_WITH_LATEST + where
                        + " ORDER BY s.id LIMIT :limit OFFSET :offset")
                .bind("dept", dept).bind("status", status).bind("search", search).bind("like", like)
                .bind("limit", n).bind("offset", skip)
                .map((rs, ctx) -> Rows.system(rs)).list());
        return HttpResponse.ok(rows).header("X-Total-Count", Long.toString(total));
    }

    /** One system: identity, latest sample, and its identity history (IP, MAC, hostname changes), newest first. */
    @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> one(@PathVariable long id) {
        Optional<Map<String, Object>> system = jdbi.withHandle(h -> h.createQuery(Rows.SYSTEM_WITH_LATEST
                + " WHERE s.id = :id").bind("id", id).map((rs, ctx) -> Rows.system(rs)).findOne());
        if (system.isEmpty()) {
            return Problems.of(HttpStatus.NOT_FOUND, "system " + id + " not found");
        }
        Map<String, Object> body = new LinkedHashMap<>(system.get());
        body.put("identity_history", jdbi.withHandle(h -> h.createQuery("""
                SELECT host(ip_address) AS ip_address, upper(mac_address::text) AS mac_address, hostname, observed_at
                FROM system_identity_history WHERE system_id = :id ORDER BY observed_at DESC, id DESC LIMIT 100""")
                .bind("id", id).mapToMap().list()).stream().map(Rows::isoTimes).toList());
        return HttpResponse.ok(body);
    }

    /**
     * Raw samples of one system in [from, to), oldest first. Defaults: the last hour; at most {@code limit} rows
     * (default 1000, max 10000).
     */
    @Get(uri = "/{id}/metrics", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> metrics(@PathVariable long id, @Nullable @QueryValue String from,
                                   @Nullable @QueryValue String to, @Nullable @QueryValue Integer limit,
                                   @Nullable @QueryValue String bucket) {
        Duration width = bucket == null || bucket.equals("raw") ? null : BUCKETS.get(bucket);
        if (bucket != null && !bucket.equals("raw") && width == null) {
            return Problems.badRequest("bucket must be raw, 1m, 5m, 1h or 1d");
        }
        Instant end;
        Instant start;
        try {
            end = to == null ? clock.instant() : OffsetDateTime.parse(to).toInstant();
            start = from == null ? end.minus(Duration.ofHours(1)) : OffsetDateTime.parse(from).toInstant();
        } catch (DateTimeParseException e) {
            return Problems.badRequest("from/to must be ISO-8601 date-times with offset, e.g. 2025-11-25T10:35:00Z");
        }
        int n = io.fleetwatch.api.internal.Page.of(limit, 0, 1000, MAX_LIMIT).limit();
        if (!start.isBefore(end)) {
            return Problems.badRequest("from must be before to");
        }
        // Buckets: the mean of each metric (max for users, last for uptime) over [bucket start, + width), aligned to
        // the epoch so the same range always gives the same buckets; a bucket's time is its start.
        String sql = width == null ? """
                SELECT collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps, network_recv_mbps,
                       gpu_percent, uptime_seconds, logged_in_users
                FROM metrics WHERE system_id = :id AND collected_at >= :from AND collected_at < :to
                ORDER BY collected_at LIMIT :limit""" : """
                SELECT date_bin(CAST(:width AS interval), collected_at, TIMESTAMPTZ '1970-01-01') AS collected_at,
                       avg(cpu_percent) AS cpu_percent, avg(ram_percent) AS ram_percent,
                       avg(disk_percent) AS disk_percent, avg(network_sent_mbps) AS network_sent_mbps,
                       avg(network_recv_mbps) AS network_recv_mbps, avg(gpu_percent) AS gpu_percent,
                       max(uptime_seconds) AS uptime_seconds, max(logged_in_users) AS logged_in_users
                FROM metrics WHERE system_id = :id AND collected_at >= :from AND collected_at < :to
                GROUP BY 1 ORDER BY 1 LIMIT :limit""";
        // Long ranges read a rollup (continuous aggregates on TimescaleDB, materialised views on plain PostgreSQL):
        // a week of a host is 2,016 five-minute rows instead of 60,480 samples, a year 365 daily rows. Means are
        // re-weighted by sample counts, so they equal the raw means when every sample has the metric.
        String rollup = rollupFor(width, Duration.between(start, end));
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
        }
        String query = sql;
        List<Map<String, Object>> rows = jdbi.withHandle(h -> h.createQuery(query)
                .bind("width", width == null ? null : width.toSeconds() + " seconds")
                .bind("id", id)
                .bind("from", OffsetDateTime.ofInstant(start, ZoneOffset.UTC))
                .bind("to", OffsetDateTime.ofInstant(end, ZoneOffset.UTC))
                .bind("limit", n)
                .map((rs, ctx) -> Rows.sample(rs))
                .list());
        // only an empty answer needs a second look: no samples in range, or no such system (a round trip saved)
        if (rows.isEmpty() && jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems WHERE id = :id")
                .bind("id", id).mapTo(Integer.class).one() == 0)) {
            return Problems.of(HttpStatus.NOT_FOUND, "system " + id + " not found");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("system_id", id);
        body.put("from", start.toString());
        body.put("to", end.toString());
        body.put("bucket", bucket == null ? "raw" : bucket);
        body.put("source", rollup != null ? rollup : "metrics");
        body.put("metrics", rows);
        return HttpResponse.ok(body);
    }
}
