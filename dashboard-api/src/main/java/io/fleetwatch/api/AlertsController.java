package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.api.internal.Page;
import io.fleetwatch.store.AlertStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Alert incidents: the open and resolved list, and acknowledging one (admin). */
@Controller("/api/alerts")
public final class AlertsController {
    static final int MAX_LIMIT = 1_000;

    /** A page of incidents, newest first, with the state and paging asked for. */
    public record AlertPage(String state, int limit, int offset, List<AlertStore.Incident> alerts) {}

    /** Silence an incident's notifications until a time, saying why; null (or absent) lifts the silence. */
    public record SilenceRequest(@Nullable Instant until, @Nullable String reason) {
        static SilenceRequest of(Fields f) {
            return new SilenceRequest(f.has("until") ? f.time("until") : null, f.textOrNull("reason", 500));
        }
    }

    private final AlertStore alerts;
    private final AlertStore reads;

    public AlertsController(org.jdbi.v3.core.Jdbi jdbi, Reads reads) {
        this.alerts = new AlertStore(jdbi);
        this.reads = new AlertStore(reads.jdbi());
    }

    /** Newest first; {@code state} open (default), resolved or all; optionally one system's; paged. */
    @Get(produces = MediaType.APPLICATION_JSON)
    public AlertPage list(@Nullable @QueryValue String state, @Nullable @QueryValue("system_id") Long systemId,
                          @Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer offset) {
        String s = state == null ? "open" : state;
        if (!List.of("open", "resolved", "all").contains(s)) {
            throw Problems.invalid("state must be open, resolved or all");
        }
        Page page = Page.of(limit, offset, 100, MAX_LIMIT);
        return new AlertPage(s, page.limit(), page.offset(), reads.incidents(
                AlertStore.Which.valueOf(s.toUpperCase(Locale.ROOT)), systemId, page.limit(), page.offset()));
    }

    /** Marks the incident acknowledged by the caller (once: a second acknowledge is a 409). */
    @Post(uri = "/{id}/acknowledge", produces = MediaType.APPLICATION_JSON)
    public AlertStore.Acknowledgement acknowledge(@PathVariable long id, HttpRequest<?> request) {
        return alerts.acknowledge(id, AuthFilter.callerName(request)).orElseThrow(() -> alerts.exists(id)
                ? new Problems.Failure(HttpStatus.CONFLICT, "alert " + id + " is already acknowledged")
                : Problems.notFound("alert " + id + " not found"));
    }

    /**
     * Silences the incident's notifications until a time (admin), recording the caller and the reason;
     * {"until": null} lifts the silence. The notifier sends nothing for it meanwhile ({@code AlertStore.claimDue}).
     */
    @Post(uri = "/{id}/silence", produces = MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = SilenceRequest.class)))
    public AlertStore.Silence silence(@PathVariable long id, @Nullable @Body Map<String, Object> body,
                                      HttpRequest<?> request) {
        SilenceRequest r = SilenceRequest.of(new Fields(body));
        return alerts.silence(id, r.until(), AuthFilter.callerName(request), r.reason()).orElseThrow(() -> Problems.notFound("alert " + id + " not found"));
    }
}
