package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.api.internal.Page;
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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Departments with their host counts, and scan jobs (list, one with its log). */
@Controller("/api")
public final class FleetController {
    /** A scan job: its targets, state, counters and times. */
    public record Scan(long id, @Nullable Integer deptId, @Nullable String targets, String status,
                       @Nullable String requestedBy, @Nullable Integer probesSent, @Nullable Integer answered,
                       @Nullable Integer retries, @Nullable Integer hostsFound, @Nullable String error,
                       Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt) {}

    /** A line of a scan's log. */
    public record ScanLogLine(Instant at, String level, String message) {}

    /** A scan job with its log, oldest line first. */
    public record ScanDetail(@JsonUnwrapped Scan scan, List<ScanLogLine> log) {}

    /** A scan job just requested. */
    public record ScanRequested(long id, @Nullable Integer deptId, String targets, String status, String requestedBy,
                                Instant createdAt) {}

    /** A scan to request: 1 to 16 IPv4 addresses or CIDRs separated by spaces, and optionally the department. */
    public record ScanRequest(String targets, @Nullable Integer deptId) {
        static ScanRequest of(Fields f) {
            String targets = f.textOrNull("targets", 1000);
            if (targets == null || !targets.strip().matches(
                    "([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?)(\\s+[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?){0,15}")) {
                throw new Fields.Invalid("targets must be 1 to 16 IPv4 addresses or CIDRs separated by spaces, e.g."
                        + " \"198.18.0.0/24\"");
            }
            return new ScanRequest(targets.strip().replaceAll("\\s+", " "), f.integerOrNull("dept_id", 1,
                    Integer.MAX_VALUE));
        }
    }

    private final Jdbi jdbi;
    private final SystemStore systems;

    /** Scan jobs are read from the primary: a job just requested is followed at once. */
    public FleetController(Jdbi jdbi, Reads reads) {
        this.jdbi = jdbi;
        this.systems = new SystemStore(reads.jdbi());
    }

    @Get(uri = "/departments", produces = MediaType.APPLICATION_JSON)
    public List<SystemStore.Department> departments() {
        return systems.departments();
    }

    @Get(uri = "/scans", produces = MediaType.APPLICATION_JSON)
    public List<Scan> scans(@Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer offset) {
        Page page = Page.of(limit, offset, 50, 1000);
        return jdbi.withHandle(h -> h.createQuery("SELECT id, dept_id, targets, status, requested_by,"
                + " probes_sent, answered, retries, hosts_found, error, created_at, started_at, finished_at FROM scans"
                + " ORDER BY id DESC LIMIT :n OFFSET :o").bind("n", page.limit()).bind("o", page.offset())
                .map((rs, ctx) -> scan(rs)).list());
    }

    @Get(uri = "/scans/{id}", produces = MediaType.APPLICATION_JSON)
    public ScanDetail scan(@PathVariable long id) {
        Scan scan = jdbi.withHandle(h -> h.createQuery("SELECT id, dept_id, targets, status,"
                        + " requested_by, probes_sent, answered, retries, hosts_found, error, created_at, started_at,"
                        + " finished_at FROM scans WHERE id = :id").bind("id", id).map((rs, ctx) -> scan(rs)).findOne())
                .orElseThrow(() -> Problems.notFound("scan " + id + " not found"));
        List<ScanLogLine> log = jdbi.withHandle(h -> h.createQuery("SELECT at, level, message FROM scan_logs"
                        + " WHERE scan_id = :id ORDER BY seq LIMIT 5000").bind("id", id)
                .map((rs, ctx) -> new ScanLogLine(time(rs, "at"), rs.getString("level"), rs.getString("message")))
                .list());
        return new ScanDetail(scan, log);
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
            ScanRequested job = jdbi.withHandle(h -> h.createQuery("INSERT INTO scans (dept_id, targets, status,"
                            + " requested_by) VALUES (:dept, :targets, 'pending', :by) RETURNING id, dept_id, targets,"
                            + " status, requested_by, created_at")
                    .bind("dept", r.deptId()).bind("targets", r.targets())
                    .bind("by", "api:" + AuthFilter.callerName(request))
                    .map((rs, ctx) -> new ScanRequested(rs.getLong("id"), (Integer) rs.getObject("dept_id"),
                            rs.getString("targets"), rs.getString("status"), rs.getString("requested_by"),
                            time(rs, "created_at")))
                    .one());
            return HttpResponse.accepted().body(job).header("Location", "/api/scans/" + job.id());
        } catch (RuntimeException e) {
            throw Problems.ofConstraint(e, "such a scan exists", "dept_id: no such department");
        }
    }

    private static Scan scan(ResultSet rs) throws SQLException {
        return new Scan(rs.getLong("id"), (Integer) rs.getObject("dept_id"), rs.getString("targets"),
                rs.getString("status"), rs.getString("requested_by"), (Integer) rs.getObject("probes_sent"),
                (Integer) rs.getObject("answered"), (Integer) rs.getObject("retries"),
                (Integer) rs.getObject("hosts_found"), rs.getString("error"), time(rs, "created_at"),
                time(rs, "started_at"), time(rs, "finished_at"));
    }

    private static Instant time(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
