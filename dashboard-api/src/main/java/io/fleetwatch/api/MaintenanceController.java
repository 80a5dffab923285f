package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Maintenance windows (maintenance mode): while one is open, no alert fires for the systems it covers (one
 * system, a department, or with neither the whole fleet). List current and future ones (or all), create, delete.
 */
@Controller("/api/maintenance-windows")
public final class MaintenanceController {
    private static final String COLUMNS = "id, system_id, dept_id, starts_at, ends_at, reason, created_by, created_at";
    private final Jdbi jdbi;

    public MaintenanceController(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> list(@Nullable @QueryValue String when) {
        String w = when == null ? "current" : when;
        if (!w.equals("current") && !w.equals("all")) {
            return Problems.badRequest("when must be current (open or upcoming) or all");
        }
        return HttpResponse.ok(jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM maintenance_windows"
                + (w.equals("current") ? " WHERE ends_at > now()" : "") + " ORDER BY starts_at, id LIMIT 1000")
                .mapToMap().list()).stream().map(Rows::isoTimes).toList());
    }

    @Post(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> create(@Nullable @Body Map<String, Object> body, HttpRequest<?> request) {
        Fields f = new Fields(body);
        var starts = f.time("starts_at");
        var ends = f.time("ends_at");
        if (!ends.isAfter(starts)) {
            throw new Fields.Invalid("ends_at must be after starts_at");
        }
        Integer system = f.integerOrNull("system_id", 1, Integer.MAX_VALUE);
        Integer dept = f.integerOrNull("dept_id", 1, Integer.MAX_VALUE);
        String reason = f.textOrNull("reason", 500);
        try {
            return HttpResponse.created(Rows.isoTimes(jdbi.withHandle(h -> h.createQuery("INSERT INTO maintenance_windows"
                            + " (system_id, dept_id, starts_at, ends_at, reason, created_by) VALUES (:sys, :dept, :s, :e,"
                            + " :reason, :by) RETURNING " + COLUMNS)
                    .bind("sys", system).bind("dept", dept)
                    .bind("s", OffsetDateTime.ofInstant(starts, ZoneOffset.UTC))
                    .bind("e", OffsetDateTime.ofInstant(ends, ZoneOffset.UTC))
                    .bind("reason", reason).bind("by", AuthFilter.callerName(request))
                    .mapToMap().one())));
        } catch (RuntimeException e) {
            return Problems.ofConstraint(e, "such a window exists", "system_id or dept_id: no such system or department");
        }
    }

    @Delete(uri = "/{id}")
    public HttpResponse<?> delete(@PathVariable long id) {
        int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM maintenance_windows WHERE id = :id").bind("id", id).execute());
        return n == 1 ? HttpResponse.noContent()
                : Problems.of(HttpStatus.NOT_FOUND, "maintenance window " + id + " not found");
    }
}
