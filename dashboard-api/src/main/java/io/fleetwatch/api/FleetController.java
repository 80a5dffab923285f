package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.api.internal.Page;
import io.fleetwatch.jobs.ScanJobs;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.SystemStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Departments with their host counts, and scan jobs (list, one with its log, request, cancel, count). */
@Controller("/api")
public final class FleetController {
    /** A scan job with its log, oldest line first. */
    public record ScanDetail(@JsonUnwrapped ScanStore.Scan scan, List<ScanStore.LogLine> log) {}

    /** A scan job just requested. */
    public record ScanRequested(long id, @Nullable Integer deptId, String targets, String status, String requestedBy,
                                Instant createdAt) {
        static ScanRequested of(ScanStore.Scan s) {
            return new ScanRequested(s.id(), s.deptId(), s.targets(), s.status(), s.requestedBy(), s.createdAt());
        }
    }

    /**
     * A scan to request: 1 to 16 IPv4 addresses or CIDRs separated by spaces, and optionally the department, the
     * timing profile (polite, normal, aggressive), the time before which it does not run (ISO-8601 with offset), and
     * the period to repeat it (a duration such as 1h).
     */
    public record ScanRequest(String targets, @Nullable Integer deptId, @Nullable String profile, @Nullable Instant at,
                              @Nullable String every) {
        static ScanRequest of(Fields f) {
            String targets = f.textOrNull("targets", 1000);
            if (targets == null || !targets.strip().matches(
                    "([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?)(\\s+[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?){0,15}")) {
                throw new Fields.Invalid("targets must be 1 to 16 IPv4 addresses or CIDRs separated by spaces, e.g."
                        + " \"198.18.0.0/24\"");
            }
            String profile = f.has("profile") ? f.oneOf("profile", java.util.Set.of("polite", "normal", "aggressive"))
                    : null;
            String every = f.textOrNull("every", 20);
            if (every != null && !every.strip().matches(io.fleetwatch.settings.Durations.REGEX)) {
                throw new Fields.Invalid("every must be a duration such as 15m or 1h");
            }
            return new ScanRequest(targets.strip(), f.integerOrNull("dept_id", 1, Integer.MAX_VALUE), profile,
                    f.has("at") ? f.time("at") : null, every == null ? null : every.strip());
        }
    }

    /** What a cancel did: {@code cancelled} (it was pending) or {@code cancelling} (it stops after its probe round). */
    public record ScanCancelled(long id, String status) {}

    /**
     * Scan jobs by status: queued and running now; succeeded, failed and cancelled in the last 24 hours.
     */
    public record ScanStats(long queued, long running, long succeeded, long failed, long cancelled) {
        static ScanStats of(ScanStore.Stats s) {
            return new ScanStats(s.queued(), s.running(), s.succeeded(), s.failed(), s.cancelled());
        }
    }

    private final ScanStore scans;
    private final SystemStore systems;
    private final ScanJobs jobs;

    /** Scan jobs are read from the primary: a job just requested is followed at once. */
    public FleetController(Jdbi jdbi, Reads reads, Clock clock) {
        this.scans = new ScanStore(jdbi);
        this.systems = new SystemStore(reads.jdbi());
        this.jobs = ScanJobs.withoutRunner(scans, new SystemStore(jdbi), clock);
    }

    @Get(uri = "/departments", produces = MediaType.APPLICATION_JSON)
    public List<SystemStore.Department> departments() {
        return systems.departments();
    }

    @Get(uri = "/scans", produces = MediaType.APPLICATION_JSON)
    public List<ScanStore.Scan> scans(@Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer offset) {
        Page page = Page.of(limit, offset, 50, 1000);
        return scans.recent(page.limit(), page.offset());
    }

    /** Scan jobs queued and running now, and those that ended in the last 24 hours, by how they ended. */
    @Get(uri = "/scans/stats", produces = MediaType.APPLICATION_JSON)
    public ScanStats scanStats() {
        return ScanStats.of(jobs.stats());
    }

    @Get(uri = "/scans/{id}", produces = MediaType.APPLICATION_JSON)
    public ScanDetail scan(@PathVariable long id) {
        ScanStore.Scan scan = scans.find(id).orElseThrow(() -> Problems.notFound("scan " + id + " not found"));
        return new ScanDetail(scan, scans.log(id, 5000));
    }

    /**
     * Requests a scan (admin): a {@code pending} job that the long-running service ({@code fleetwatch serve}) claims
     * and sweeps, after checking it against its scan policy (a target outside the allow-list fails the job with the
     * reason). 202 with the job; follow it at /api/scans/{id}.
     */
    @Post(uri = "/scans", produces = MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ScanRequest.class)))
    public HttpResponse<ScanRequested> requestScan(@Nullable @Body Map<String, Object> body, HttpRequest<?> request) {
        ScanRequest r = ScanRequest.of(new Fields(body));
        try {
            ScanStore.Scan job = jobs.request(new ScanStore.Submission(r.deptId(), ScanStore.splitTargets(r.targets()),
                    "api:" + AuthFilter.callerName(request), r.profile(), r.at(),
                    r.every() == null ? null : io.fleetwatch.settings.Durations.parse(r.every())));
            return HttpResponse.accepted().body(ScanRequested.of(job)).header("Location", "/api/scans/" + job.id());
        } catch (RuntimeException e) {
            if (e instanceof IllegalArgumentException) {
                throw Problems.invalid(e.getMessage());
            }
            throw Problems.ofConstraint(e, "such a scan exists", "dept_id: no such department");
        }
    }

    /**
     * Cancels a scan job (admin): a pending one at once (200, {@code cancelled}); a running one stops after its
     * current probe round, keeps what it found and ends {@code cancelled} (202, {@code cancelling}). 409 when it has
     * already ended.
     */
    @Post(uri = "/scans/{id}/cancel", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<ScanCancelled> cancelScan(@PathVariable long id) {
        return switch (jobs.cancel(id)) {
            case CANCELLED -> HttpResponse.ok(new ScanCancelled(id, "cancelled"));
            case REQUESTED -> HttpResponse.accepted().body(new ScanCancelled(id, "cancelling"));
            case ALREADY_ENDED -> throw new Problems.Failure(io.micronaut.http.HttpStatus.CONFLICT,
                    "scan " + id + " has already ended");
            case NOT_FOUND -> throw Problems.notFound("scan " + id + " not found");
        };
    }

    /** The same as {@code POST /api/scans/{id}/cancel} (admin). */
    @Delete(uri = "/scans/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<ScanCancelled> deleteScan(@PathVariable long id) {
        return cancelScan(id);
    }
}
