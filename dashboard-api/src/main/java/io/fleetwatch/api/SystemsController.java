package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetwatch.api.internal.Page;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.store.InventoryStore;
import io.fleetwatch.store.MetricStore;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.SystemStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Systems, their metrics and their inventory. Field names follow the message contract (snake_case). */
@Controller("/api/systems")
public final class SystemsController {
    static final int MAX_LIMIT = 10_000;
    static final Map<String, Duration> BUCKETS = Map.of("1m", Duration.ofMinutes(1), "5m", Duration.ofMinutes(5),
            "1h", Duration.ofHours(1), "1d", Duration.ofDays(1));

    /** One system: identity, latest sample, and its identity history (IP, MAC, hostname changes), newest first. */
    public record SystemDetail(@JsonUnwrapped SystemStore.Host system, List<SystemStore.IdentityChange> identityHistory) {}

    /** A host's chart: the range asked, the bucket width, where it was read from, and the samples or buckets. */
    public record MetricsPage(long systemId, Instant from, Instant to, String bucket, String source,
                              List<MetricStore.Sample> metrics) {}

    /**
     * A system's current hardware and OS inventory (the last inventory message, docs/contract.md), when it was last
     * reported, and since when it has had this content.
     */
    public record InventoryPage(long systemId, String contentHash, Instant collectedAt, Instant changedAt,
                                InventoryMessage inventory) {}

    private final SystemStore systems;
    private final SystemStore primary;
    private final InventoryStore inventory;
    private final MetricStore metrics;
    private final AlertStore alerts;
    private final ScanStore scans;
    private final Clock clock;

    public SystemsController(Reads reads, Jdbi jdbi, Clock clock) {
        this.systems = new SystemStore(reads.jdbi()); // read-only endpoints
        this.primary = new SystemStore(jdbi); // retiring, and the answer that shows it at once
        this.metrics = new MetricStore(reads.jdbi());
        this.alerts = new AlertStore(reads.jdbi());
        this.scans = new ScanStore(jdbi); // scan jobs from the primary, as /api/scans
        this.inventory = new InventoryStore(reads.jdbi());
        this.clock = clock;
    }

    /**
     * Systems with their latest sample (null when none yet), by id; filters: {@code dept}, {@code status} (up, down,
     * unknown), {@code search} (hostname, IP or MAC contains, case-insensitive); paged by {@code limit} (default
     * 500, max 10 000) and {@code offset}; the total before paging is in {@code X-Total-Count}.
     */
    @Get(produces = MediaType.APPLICATION_JSON)
    @ApiResponse(responseCode = "200", description = "a page of systems",
            headers = @Header(name = "X-Total-Count", description = "systems matching the filters, before paging"))
    public HttpResponse<List<SystemStore.Host>> list(@Nullable @QueryValue Integer dept,
                                                     @Nullable @QueryValue String status,
                                                     @Nullable @QueryValue String search,
                                                     @Nullable @QueryValue Integer limit,
                                                     @Nullable @QueryValue Integer offset) {
        if (status != null && !SystemStore.HostFilter.STATUSES.contains(status)) {
            throw Problems.invalid("status must be up, down or unknown");
        }
        if (search != null && search.length() > 200) {
            throw Problems.invalid("search must be at most 200 characters");
        }
        if (search != null && search.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // PostgreSQL text cannot hold NUL at all; no host name holds any control character
            throw Problems.invalid("search must not contain control characters");
        }
        Page page = Page.of(limit, offset, 500, MAX_LIMIT);
        SystemStore.HostFilter filter = new SystemStore.HostFilter(dept, status, search);
        long total = systems.count(filter);
        return HttpResponse.ok(systems.page(filter, page.limit(), page.offset()))
                .header("X-Total-Count", Long.toString(total));
    }

    /** One system: identity, latest sample, and its identity history (IP, MAC, hostname changes), newest first. */
    @Get(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    public SystemDetail one(@PathVariable long id) {
        SystemStore.Host system = systems.find(id).orElseThrow(() -> Problems.notFound("system " + id + " not found"));
        return new SystemDetail(system, systems.identityHistory(id));
    }

    /** The mounted filesystems of the system's latest sample that had any (mount, usage %, size in GB), by mount. */
    @Get(uri = "/{id}/filesystems", produces = MediaType.APPLICATION_JSON)
    public List<MetricStore.Filesystem> filesystems(@PathVariable long id) {
        return ofSystem(id, metrics.filesystems(id));
    }

    /**
     * The system's alert history: each firing and resolved decision of the alerting trigger, newest first
     * ({@code limit} default 200, max 1000).
     */
    @Get(uri = "/{id}/alert-history", produces = MediaType.APPLICATION_JSON)
    public List<AlertStore.HistoryEntry> alertHistory(@PathVariable long id, @Nullable @QueryValue Integer limit) {
        return ofSystem(id, alerts.history(id, Page.of(limit, 0, 200, 1000).limit()));
    }

    /**
     * The scan jobs that concern the system, newest first: those whose targets cover its address, and the one that
     * last saw it ({@code limit} default 50, max 1000).
     */
    @Get(uri = "/{id}/scans", produces = MediaType.APPLICATION_JSON)
    public List<ScanStore.Scan> scans(@PathVariable long id, @Nullable @QueryValue Integer limit) {
        return ofSystem(id, scans.ofSystem(id, Page.of(limit, 0, 50, 1000).limit()));
    }

    /** A system's rows; only an empty answer needs a second look: none yet, or no such system (404). */
    private <T> List<T> ofSystem(long id, List<T> rows) {
        if (rows.isEmpty() && !systems.exists(id)) {
            throw Problems.notFound("system " + id + " not found");
        }
        return rows;
    }

    /** Retires the system (admin): no-data detection ignores it from now on; retiring twice keeps the first time. */
    @Post(uri = "/{id}/retire", produces = MediaType.APPLICATION_JSON)
    public SystemStore.Host retire(@PathVariable long id) {
        return retired(id, clock.instant());
    }

    /** Puts a retired system back in service (admin). */
    @Post(uri = "/{id}/unretire", produces = MediaType.APPLICATION_JSON)
    public SystemStore.Host unretire(@PathVariable long id) {
        return retired(id, null);
    }

    private SystemStore.Host retired(long id, @Nullable Instant at) {
        if (!primary.setRetired(id, at)) {
            throw Problems.notFound("system " + id + " not found");
        }
        return primary.find(id).orElseThrow(() -> Problems.notFound("system " + id + " not found"));
    }

    /**
     * The system's current inventory; 204 (no body) when the system has sent none yet (no agent, or one too old to
     * send it), so the host page asks without an error; 404 for an unknown system.
     */
    @Get(uri = "/{id}/inventory", produces = MediaType.APPLICATION_JSON)
    @ApiResponse(responseCode = "200", description = "the system's current inventory")
    @ApiResponse(responseCode = "204", description = "the system has sent no inventory yet")
    public HttpResponse<InventoryPage> inventory(@PathVariable long id) {
        Optional<InventoryStore.Current> current = inventory.current(id);
        if (current.isEmpty()) {
            if (!systems.exists(id)) {
                throw Problems.notFound("system " + id + " not found");
            }
            return HttpResponse.noContent();
        }
        InventoryStore.Current c = current.get();
        return HttpResponse.ok(new InventoryPage(c.systemId(), c.contentHash(), c.collectedAt(), c.changedAt(),
                c.inventory()));
    }

    /**
     * The changes of the system's inventory, newest first, each with what changed ({@code part}, {@code item},
     * {@code kind}, {@code before}, {@code after}); paged by {@code limit} (default 100, max 10 000) and
     * {@code offset}. Empty for a system whose inventory never changed; 404 for an unknown system.
     */
    @Get(uri = "/{id}/inventory/changes", produces = MediaType.APPLICATION_JSON)
    public List<InventoryStore.ChangeRow> inventoryChanges(@PathVariable long id, @Nullable @QueryValue Integer limit,
                                                           @Nullable @QueryValue Integer offset) {
        Page page = Page.of(limit, offset, 100, MAX_LIMIT);
        List<InventoryStore.ChangeRow> rows = inventory.changes(id, page.limit(), page.offset());
        if (rows.isEmpty() && !systems.exists(id)) {
            throw Problems.notFound("system " + id + " not found");
        }
        return rows;
    }

    /**
     * Samples of one system in [from, to), oldest first: raw, or in buckets of {@code bucket} (1m, 5m, 1h, 1d; long
     * ranges read a rollup, named in {@code source}). Defaults: the last hour, raw; at most {@code limit} rows
     * (default 1000, max 10000).
     */
    @Get(uri = "/{id}/metrics", produces = MediaType.APPLICATION_JSON)
    public MetricsPage metrics(@PathVariable long id, @Nullable @QueryValue String from,
                               @Nullable @QueryValue String to, @Nullable @QueryValue Integer limit,
                               @Nullable @QueryValue String bucket) {
        Duration width = bucket == null || bucket.equals("raw") ? null : BUCKETS.get(bucket);
        if (bucket != null && !bucket.equals("raw") && width == null) {
            throw Problems.invalid("bucket must be raw, 1m, 5m, 1h or 1d");
        }
        Instant end;
        Instant start;
        try {
            end = to == null ? clock.instant() : OffsetDateTime.parse(to).toInstant();
            start = from == null ? end.minus(Duration.ofHours(1)) : OffsetDateTime.parse(from).toInstant();
        } catch (DateTimeParseException e) {
            throw Problems.invalid("from/to must be ISO-8601 date-times with offset, e.g. 2025-11-25T10:35:00Z");
        }
        int n = Page.of(limit, 0, 1000, MAX_LIMIT).limit();
        if (!start.isBefore(end)) {
            throw Problems.invalid("from must be before to");
        }
        MetricStore.Chart chart = metrics.chart(id, start, end, width, n);
        // only an empty answer needs a second look: no samples in range, or no such system (a round trip saved)
        if (chart.samples().isEmpty() && !systems.exists(id)) {
            throw Problems.notFound("system " + id + " not found");
        }
        return new MetricsPage(id, start, end, bucket == null ? "raw" : bucket, chart.source(), chart.samples());
    }
}
