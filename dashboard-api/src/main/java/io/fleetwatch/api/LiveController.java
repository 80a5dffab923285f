package io.fleetwatch.api;

import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.store.SystemStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.sse.Event;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.reactivestreams.Publisher;

/**
 * The web page's fleet table and its live updates: every host in one compact list, and a server-sent event stream of
 * the rows that change ({@link FleetEvents}), opened with a short-lived ticket since EventSource sends no headers.
 */
@Controller("/api")
public final class LiveController {
    /** The path of the event stream; {@link AuthFilter} accepts a ticket there instead of a bearer token. */
    static final String EVENTS = "/api/events";

    /** Every host of the fleet table, by id, and when the list was read. */
    public record FleetHosts(Instant at, long total, List<SystemStore.FleetRow> hosts) {
        public FleetHosts {
            hosts = List.copyOf(hosts);
        }
    }

    private final SystemStore systems;
    private final StreamTickets tickets;
    private final FleetEvents events;
    private final Clock clock;

    public LiveController(Reads reads, StreamTickets tickets, FleetEvents events, Clock clock) {
        this.systems = new SystemStore(reads.jdbi()); // read-only endpoints
        this.tickets = tickets;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Every host with its department, status, open alerts (count and worst severity), vendor and latest gauges, by
     * id: the web page searches, sorts and filters it in the browser (10,000 hosts are about 3.4 MB, 270 kB
     * compressed). With {@code first}: only the first that many by name (hostname, else address), for the page's
     * first screen while the whole list loads; {@code total} still counts every host.
     */
    @Get(uri = "/fleet/hosts", produces = MediaType.APPLICATION_JSON)
    public FleetHosts hosts(@Nullable @QueryValue Integer first) {
        Instant at = clock.instant();
        if (first != null) {
            if (first < 1 || first > 1000) {
                throw Problems.invalid("first must be between 1 and 1000");
            }
            return new FleetHosts(at, systems.countAll(), systems.fleetFirst(first));
        }
        List<SystemStore.FleetRow> rows = systems.fleet(null);
        return new FleetHosts(at, rows.size(), rows);
    }

    /**
     * A ticket that opens the event stream once, within 30 s: {@code GET /api/events?ticket=…}. Asked for with the
     * bearer token (viewer or admin); the stream runs as that token's caller.
     */
    @Get(uri = "/events/ticket", produces = MediaType.APPLICATION_JSON)
    public StreamTickets.Issued ticket(HttpRequest<?> request) {
        TokenCheck.Caller caller = request.getAttribute(AuthFilter.CALLER, TokenCheck.Caller.class)
                .orElseThrow(() -> new Problems.Failure(HttpStatus.UNAUTHORIZED, "a valid bearer token is required"));
        return tickets.issue(caller).orElseThrow(() -> new Problems.Failure(HttpStatus.SERVICE_UNAVAILABLE,
                "too many unused stream tickets; try again in " + StreamTickets.TTL.toSeconds() + " s"));
    }

    /**
     * Server-sent events for the fleet table (authenticated by {@code ticket}, from {@code /api/events/ticket}):
     * {@code hello} at once, {@code hosts} with the rows that changed (a sample arrived, an alert fired or
     * resolved, the status or identity moved; looked for every 2 s), {@code ping} after 15 s of quiet. Each event's
     * data is a FleetEvent.
     */
    @Get(uri = "/events", produces = MediaType.TEXT_EVENT_STREAM)
    @ApiResponse(responseCode = "200", description = "the event stream; each event's data is one FleetEvent",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM,
                    schema = @Schema(implementation = FleetEvents.FleetEvent.class)))
    public Publisher<Event<FleetEvents.FleetEvent>> events(@Nullable @QueryValue String ticket) {
        return events.open();
    }
}
