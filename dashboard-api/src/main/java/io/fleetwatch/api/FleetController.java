package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.api.internal.Page;
import io.fleetwatch.store.ScanStore;
import io.fleetwatch.store.SystemStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
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
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Departments with their host counts, and scan jobs (list, one with its log, request one). */
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

    /** A scan to request: 1 to 16 IPv4 addresses or CIDRs separated by spaces, and optionally the department. */
    public record ScanRequest(String targets, @Nullable Integer deptId) {
        static ScanRequest of(Fields f) {
            String targets = f.textOrNull("targets", 1000);
            if (targets == null || !targets.strip().matches(
                    "([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?)(\\s+[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?){0,15}")) {
                throw new Fields.Invalid("targets must be 1 to 16 IPv4 addresses or CIDRs separated by spaces, e.g."
                        + " \"198.18.0.0/24\"");
            }
            return new ScanRequest(targets.strip(), f.integerOrNull("dept_id", 1, Integer.MAX_VALUE));
        }
    }

    private final ScanStore scans;
    private final SystemStore systems;

    /** Scan jobs are read from the primary: a job just requested is followed at once. */
    public FleetController(Jdbi jdbi, Reads reads) {
        this.scans = new ScanStore(jdbi);
        this.systems = new SystemStore(reads.jdbi());
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
            ScanStore.Scan job = scans.request(r.deptId(), ScanStore.splitTargets(r.targets()),
                    "api:" + AuthFilter.callerName(request));
            return HttpResponse.accepted().body(ScanRequested.of(job)).header("Location", "/api/scans/" + job.id());
        } catch (RuntimeException e) {
            throw Problems.ofConstraint(e, "such a scan exists", "dept_id: no such department");
        }
    }
}
