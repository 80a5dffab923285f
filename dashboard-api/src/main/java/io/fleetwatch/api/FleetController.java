package io.fleetwatch.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Departments with their host counts, and scan jobs (list, one with its log). */
@Controller("/api")
public final class FleetController {
    private final Jdbi jdbi;
    private final Jdbi reads;

    /** Scan jobs are read from the primary: a job just requested is followed at once. */
    public FleetController(Jdbi jdbi, Reads reads) {
        this.jdbi = jdbi;
        this.reads = reads.jdbi();
    }

    @Get(uri = "/departments", produces = MediaType.APPLICATION_JSON)
    public Object departments() {
        return reads.withHandle(h -> h.createQuery("SELECT d.id, d.name, count(s.id) AS hosts,"
                + " count(s.id) FILTER (WHERE s.status = 'down') AS hosts_down FROM departments d"
                + " LEFT JOIN systems s ON s.dept_id = d.id GROUP BY d.id ORDER BY d.id").mapToMap().list());
    }

    @Get(uri = "/scans", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> scans(@Nullable @QueryValue Integer limit, @Nullable @QueryValue Integer offset) {
        io.fleetwatch.api.internal.Page page = io.fleetwatch.api.internal.Page.of(limit, offset, 50, 1000);
        int n = page.limit();
        int skip = page.offset();
        return HttpResponse.ok(jdbi.withHandle(h -> h.createQuery("SELECT id, dept_id, targets, status, requested_by,"
                + " probes_sent, answered, retries, hosts_found, error, created_at, started_at, finished_at FROM scans"
                + " ORDER BY id DESC LIMIT :n OFFSET :o").bind("n", n).bind("o", skip).mapToMap().list())
                .stream().map(Rows::isoTimes).toList());
    }

    @Get(uri = "/scans/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> scan(@PathVariable long id) {
        Optional<Map<String, Object>> scan = jdbi.withHandle(h -> h.createQuery("SELECT id, dept_id, targets, status,"
                + " requested_by, probes_sent, answered, retries, hosts_found, error, created_at, started_at, finished_at"
                + " FROM scans WHERE id = :id").bind("id", id).mapToMap().findOne());
        if (scan.isEmpty()) {
            return Problems.of(HttpStatus.NOT_FOUND, "scan " + id + " not found");
        }
        Map<String, Object> body = new LinkedHashMap<>(Rows.isoTimes(scan.get()));
        body.put("log", jdbi.withHandle(h -> h.createQuery("SELECT at, level, message FROM scan_logs WHERE scan_id = :id"
                + " ORDER BY seq LIMIT 5000").bind("id", id).mapToMap().list()).stream().map(Rows::isoTimes).toList());
        return HttpResponse.ok(body);
    }

    /**
     * Requests a scan (admin): a {@code pending} job that the long-running service ({@code fleetwatch serve}) claims
     * and sweeps, after checking it against its scan policy (a target outside the allow-list fails the job with the
     * reason). 202 with the job; follow it at /api/scans/{id}.
     */
    @io.micronaut.http.annotation.Post(uri = "/scans", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> requestScan(@Nullable @io.micronaut.http.annotation.Body Map<String, Object> body,
                                       io.micronaut.http.HttpRequest<?> request) {
        io.fleetwatch.api.internal.Fields f = new io.fleetwatch.api.internal.Fields(body);
        String targets = f.textOrNull("targets", 1000);
        if (targets == null || !targets.strip().matches(
                "([0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?)(\\s+[0-9]{1,3}(\\.[0-9]{1,3}){3}(/[0-9]{1,2})?){0,15}")) {
            throw new io.fleetwatch.api.internal.Fields.Invalid("targets must be 1 to 16 IPv4 addresses or CIDRs separated"
                    + " by spaces, e.g. \"198.18.0.0/24\"");
        }
        Integer dept = f.integerOrNull("dept_id", 1, Integer.MAX_VALUE);
        try {
            Map<String, Object> row = jdbi.withHandle(h -> h.createQuery("INSERT INTO scans (dept_id, targets, status,"
                            + " requested_by) VALUES (:dept, :targets, 'pending', :by) RETURNING id, dept_id, targets, status,"
                            + " requested_by, created_at")
                    .bind("dept", dept).bind("targets", targets.strip().replaceAll("\\s+", " "))
                    .bind("by", "api:" + AuthFilter.callerName(request)).mapToMap().one());
            return HttpResponse.accepted().body(Rows.isoTimes(row))
                    .header("Location", "/api/scans/" + row.get("id"));
        } catch (RuntimeException e) {
            return Problems.ofConstraint(e, "such a scan exists", "dept_id: no such department");
        }
    }
}
