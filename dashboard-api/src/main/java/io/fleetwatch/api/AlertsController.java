package io.fleetwatch.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Alert incidents: the open and resolved list, and acknowledging one (admin). */
@Controller("/api/alerts")
public final class AlertsController {
    static final int MAX_LIMIT = 1_000;

    private final Jdbi jdbi;
    private final Jdbi reads;

    public AlertsController(Jdbi jdbi, Reads reads) {
        this.jdbi = jdbi;
        this.reads = reads.jdbi();
    }

    /** Newest first; {@code state} open (default), resolved or all; optionally one system's; paged. */
    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> list(@Nullable @QueryValue String state, @Nullable @QueryValue("system_id") Long systemId,
                                @Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer offset) {
        String s = state == null ? "open" : state;
        String where = switch (s) {
            case "open" -> "a.resolved_at IS NULL";
            case "resolved" -> "a.resolved_at IS NOT NULL";
            case "all" -> "true";
            default -> null;
        };
        if (where == null) {
            return Problems.badRequest("state must be open, resolved or all");
        }
        io.fleetwatch.api.internal.Page page = io.fleetwatch.api.internal.Page.of(limit, offset, 100, MAX_LIMIT);
        int n = page.limit();
        int skip = page.offset();
        List<Map<String, Object>> rows = reads.withHandle(h -> h.createQuery("""
                SELECT a.id, a.alert_id, a.system_id, s.hostname, a.alert_type, a.severity, a.state, a.value,
                       a.threshold, a.occurred_at, a.resolved_at, a.acknowledged_at, a.acknowledged_by, a.silenced_until
                FROM alerts a JOIN systems s ON s.id = a.system_id
                WHERE""" + " " + where + " AND (CAST(:sys AS bigint) IS NULL OR a.system_id = :sys)"
                        + " ORDER BY a.occurred_at DESC, a.id DESC LIMIT :limit OFFSET :offset")
                .bind("sys", systemId)
                .bind("limit", n)
                .bind("offset", skip)
                .mapToMap()
                .list());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", s);
        body.put("limit", n);
        body.put("offset", skip);
        body.put("alerts", rows.stream().map(Rows::isoTimes).toList());
        return HttpResponse.ok(body);
    }

    /** Marks the incident acknowledged by the caller (once: a second acknowledge is a 409). */
    @Post(uri = "/{id}/acknowledge", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> acknowledge(@PathVariable long id, HttpRequest<?> request) {
        String by = AuthFilter.callerName(request);
        Optional<Map<String, Object>> row = jdbi.withHandle(h -> h.createQuery("UPDATE alerts SET acknowledged_at = now(),"
                        + " acknowledged_by = :by WHERE id = :id AND acknowledged_at IS NULL"
                        + " RETURNING id, acknowledged_at, acknowledged_by")
                .bind("by", by)
                .bind("id", id)
                .mapToMap()
                .findOne());
        if (row.isPresent()) {
            return HttpResponse.ok(Rows.isoTimes(row.get()));
        }
        boolean exists = jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM alerts WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).one() > 0);
        return exists ? Problems.of(HttpStatus.CONFLICT, "alert " + id + " is already acknowledged")
                : Problems.of(HttpStatus.NOT_FOUND, "alert " + id + " not found");
    }

    /** Silences the incident's notifications until a time (admin); {"until": null} lifts the silence. */
    @io.micronaut.http.annotation.Post(uri = "/{id}/silence", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> silence(@PathVariable long id,
                                   @Nullable @io.micronaut.http.annotation.Body Map<String, Object> body) {
        io.fleetwatch.api.internal.Fields f = new io.fleetwatch.api.internal.Fields(body);
        java.time.OffsetDateTime until = f.has("until")
                ? java.time.OffsetDateTime.ofInstant(f.time("until"), java.time.ZoneOffset.UTC) : null;
        Optional<Map<String, Object>> row = jdbi.withHandle(h -> h.createQuery("UPDATE alerts SET silenced_until = :u"
                + " WHERE id = :id RETURNING id, silenced_until").bind("u", until).bind("id", id).mapToMap().findOne());
        return row.<HttpResponse<?>>map(r -> HttpResponse.ok(Rows.isoTimes(r)))
                .orElseGet(() -> Problems.of(HttpStatus.NOT_FOUND, "alert " + id + " not found"));
    }
}
