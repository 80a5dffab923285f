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
import org.jdbi.v3.core.Jdbi;

/** Systems and their metrics. Field names follow the message contract (snake_case). */
@Controller("/api/systems")
public final class SystemsController {
    static final int MAX_LIMIT = 10_000;

    private final Jdbi jdbi;
    private final Clock clock;

    public SystemsController(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Every system with its latest sample (null when none yet). */
    @Get(produces = MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list() {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT s.id AS system_id, s.host_id, s.hostname, host(s.ip_address) AS ip_address,
                       upper(s.mac_address::text) AS mac_address, s.dept_id, s.status, s.first_seen, s.last_seen,
                       m.collected_at, m.cpu_percent, m.ram_percent, m.disk_percent, m.network_sent_mbps,
                       m.network_recv_mbps, m.gpu_percent, m.uptime_seconds, m.logged_in_users
                FROM systems s
                LEFT JOIN LATERAL (SELECT * FROM metrics WHERE system_id = s.id
                                   ORDER BY collected_at DESC LIMIT 1) m ON true
                ORDER BY s.id""").map((rs, ctx) -> Rows.system(rs)).list());
    }

    /**
     * Raw samples of one system in [from, to), oldest first. Defaults: the last hour; at most {@code limit} rows
     * (default 1000, max 10000).
     */
    @Get(uri = "/{id}/metrics", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> metrics(@PathVariable long id, @Nullable @QueryValue String from,
                                   @Nullable @QueryValue String to, @Nullable @QueryValue Integer limit) {
        Instant end;
        Instant start;
        try {
            end = to == null ? clock.instant() : OffsetDateTime.parse(to).toInstant();
            start = from == null ? end.minus(Duration.ofHours(1)) : OffsetDateTime.parse(from).toInstant();
        } catch (DateTimeParseException e) {
            return Problems.badRequest("from/to must be ISO-8601 date-times with offset, e.g. 2025-11-25T10:35:00Z");
        }
        int n = limit == null ? 1000 : limit;
        if (n < 1 || n > MAX_LIMIT) {
            return Problems.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        if (!start.isBefore(end)) {
            return Problems.badRequest("from must be before to");
        }
        boolean exists = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems WHERE id = :id")
                .bind("id", id).mapTo(Integer.class).one() > 0);
        if (!exists) {
            return Problems.of(HttpStatus.NOT_FOUND, "system " + id + " not found");
        }
        List<Map<String, Object>> rows = jdbi.withHandle(h -> h.createQuery("""
                SELECT collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps, network_recv_mbps,
                       gpu_percent, uptime_seconds, logged_in_users
                FROM metrics WHERE system_id = :id AND collected_at >= :from AND collected_at < :to
                ORDER BY collected_at LIMIT :limit""")
                .bind("id", id)
                .bind("from", OffsetDateTime.ofInstant(start, ZoneOffset.UTC))
                .bind("to", OffsetDateTime.ofInstant(end, ZoneOffset.UTC))
                .bind("limit", n)
                .map((rs, ctx) -> Rows.sample(rs))
                .list());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("system_id", id);
        body.put("from", start.toString());
        body.put("to", end.toString());
        body.put("metrics", rows);
        return HttpResponse.ok(body);
    }
}
