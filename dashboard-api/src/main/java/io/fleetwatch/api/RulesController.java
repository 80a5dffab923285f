package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Alert rules (thresholds with hysteresis, global or per department): list, create, replace, delete (admin for the
 * writes). The database trigger reads them on every sample, so a change applies to the next sample.
 */
@Controller("/api/alert-rules")
public final class RulesController {
    static final Set<String> METRICS = Set.of("cpu_percent", "ram_percent", "disk_percent", "gpu_percent",
            "network_sent_mbps", "network_recv_mbps");
    static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    private static final String COLUMNS = "id, metric, alert_type, dept_id, fire_at, clear_at, min_samples, severity, enabled";

    private final Jdbi jdbi;

    public RulesController(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public List<Map<String, Object>> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + COLUMNS + " FROM alert_rules ORDER BY alert_type, severity,"
                + " dept_id NULLS FIRST, id").mapToMap().list());
    }

    @Post(produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> create(@Nullable @Body Map<String, Object> body) {
        Rule r = Rule.of(new Fields(body));
        try {
            Map<String, Object> row = jdbi.withHandle(h -> r.bind(h.createQuery("INSERT INTO alert_rules (metric, alert_type,"
                    + " dept_id, fire_at, clear_at, min_samples, severity, enabled) VALUES (:metric, :type, :dept, :fire,"
                    + " :clear, :min, :sev, :enabled) RETURNING " + COLUMNS)).mapToMap().one());
            return HttpResponse.created(row);
        } catch (RuntimeException e) {
            return conflict(e);
        }
    }

    @Put(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<?> replace(@PathVariable int id, @Nullable @Body Map<String, Object> body) {
        Rule r = Rule.of(new Fields(body));
        try {
            Optional<Map<String, Object>> row = jdbi.withHandle(h -> r.bind(h.createQuery("UPDATE alert_rules SET"
                    + " metric = :metric, alert_type = :type, dept_id = :dept, fire_at = :fire, clear_at = :clear,"
                    + " min_samples = :min, severity = :sev, enabled = :enabled WHERE id = :id RETURNING " + COLUMNS))
                    .bind("id", id).mapToMap().findOne());
            return row.<HttpResponse<?>>map(HttpResponse::ok)
                    .orElseGet(() -> Problems.of(HttpStatus.NOT_FOUND, "alert rule " + id + " not found"));
        } catch (RuntimeException e) {
            return conflict(e);
        }
    }

    @Delete(uri = "/{id}")
    public HttpResponse<?> delete(@PathVariable int id) {
        int n = jdbi.withHandle(h -> h.createUpdate("DELETE FROM alert_rules WHERE id = :id").bind("id", id).execute());
        return n == 1 ? HttpResponse.noContent() : Problems.of(HttpStatus.NOT_FOUND, "alert rule " + id + " not found");
    }

    private static HttpResponse<?> conflict(RuntimeException e) {
        return Problems.ofConstraint(e, "a rule for this alert_type, severity and department exists",
                "dept_id: no such department");
    }

    private record Rule(String metric, String type, Integer dept, double fire, double clear, int min, String sev,
                       boolean enabled) {
        static Rule of(Fields f) {
            String metric = f.oneOf("metric", METRICS);
            double max = metric.endsWith("_percent") ? 100 : 1e6;
            double fire = f.number("fire_at", 0, max);
            double clear = f.number("clear_at", 0, max);
            if (clear > fire) {
                throw new Fields.Invalid("clear_at must be at most fire_at (hysteresis: fire above, clear below)");
            }
            Integer min = f.integerOrNull("min_samples", 1, 1000);
            return new Rule(metric, f.token("alert_type"), f.integerOrNull("dept_id", 1, Integer.MAX_VALUE), fire, clear,
                    min == null ? 3 : min, f.oneOf("severity", SEVERITIES), f.bool("enabled", true));
        }

        <T extends org.jdbi.v3.core.statement.SqlStatement<T>> T bind(T q) {
            return q.bind("metric", metric).bind("type", type).bind("dept", dept).bind("fire", fire)
                    .bind("clear", clear).bind("min", min).bind("sev", sev).bind("enabled", enabled);
        }
    }
}
