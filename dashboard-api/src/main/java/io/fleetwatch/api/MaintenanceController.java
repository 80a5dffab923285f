package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.store.AlertStore;
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
import io.micronaut.http.annotation.Status;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Maintenance windows (maintenance mode): while one is open, no alert fires for the systems it covers (one
 * system, a department, or with neither the whole fleet). List current and future ones (or all), create, delete.
 */
@Controller("/api/maintenance-windows")
public final class MaintenanceController {
    /** A window as sent: [starts_at, ends_at) for one system, a department, or (neither) the whole fleet. */
    public record WindowRequest(Instant startsAt, Instant endsAt, @Nullable Long systemId, @Nullable Integer deptId,
                                @Nullable String reason) {
        /** Read field by field, so a 400 names the field and why; {@code by} is the caller. */
        static AlertStore.WindowSpec of(Fields f, String by) {
            Instant starts = f.time("starts_at");
            Instant ends = f.time("ends_at");
            if (!ends.isAfter(starts)) {
                throw new Fields.Invalid("ends_at must be after starts_at");
            }
            Integer system = f.integerOrNull("system_id", 1, Integer.MAX_VALUE);
            Integer dept = f.integerOrNull("dept_id", 1, Integer.MAX_VALUE);
            return new AlertStore.WindowSpec(system == null ? null : system.longValue(), dept, starts, ends,
                    f.textOrNull("reason", 500), by);
        }
    }

    private final AlertStore alerts;

    public MaintenanceController(Jdbi jdbi) {
        this.alerts = new AlertStore(jdbi);
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public List<AlertStore.Window> list(@Nullable @QueryValue String when) {
        String w = when == null ? "current" : when;
        if (!w.equals("current") && !w.equals("all")) {
            throw Problems.invalid("when must be current (open or upcoming) or all");
        }
        return alerts.windows(w.equals("current"));
    }

    @Post(produces = MediaType.APPLICATION_JSON)
    @Status(HttpStatus.CREATED)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = WindowRequest.class)))
    public AlertStore.Window create(@Nullable @Body Map<String, Object> body, HttpRequest<?> request) {
        AlertStore.WindowSpec spec = WindowRequest.of(new Fields(body), AuthFilter.callerName(request));
        try {
            return alerts.createWindow(spec);
        } catch (RuntimeException e) {
            throw Problems.ofConstraint(e, "such a window exists", "system_id or dept_id: no such system or department");
        }
    }

    @Delete(uri = "/{id}")
    public HttpResponse<Void> delete(@PathVariable long id) {
        if (!alerts.deleteWindow(id)) {
            throw Problems.notFound("maintenance window " + id + " not found");
        }
        return HttpResponse.noContent();
    }
}
