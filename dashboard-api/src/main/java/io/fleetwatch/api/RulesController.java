package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.store.AlertStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.Status;
import io.micronaut.http.HttpStatus;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * Alert rules (thresholds with hysteresis, global or per department): list, create, replace, delete (admin for the
 * writes). The database trigger reads them on every sample, so a change applies to the next sample.
 */
@Controller("/api/alert-rules")
public final class RulesController {
    /**
     * A rule as sent: {@code metric} fires above {@code fire_at} and clears below {@code clear_at} after
     * {@code min_samples} samples (default 3); per department or (no dept_id) global; enabled unless false.
     */
    public record RuleRequest(String metric, String alertType, @Nullable Integer deptId, double fireAt, double clearAt,
                              @Nullable Integer minSamples, String severity, @Nullable Boolean enabled) {
        /** Read field by field, so a 400 names the field and why. */
        static AlertStore.RuleSpec of(Fields f) {
            String metric = f.oneOf("metric", AlertStore.METRICS);
            io.fleetwatch.messages.Metric m = io.fleetwatch.messages.MetricCatalog.DEFAULT.get(metric);
            double fire = f.number("fire_at", m.min(), m.max()); // the metric's own range, from the catalog
            double clear = f.number("clear_at", m.min(), m.max());
            if (clear > fire) {
                throw new Fields.Invalid("clear_at must be at most fire_at (hysteresis: fire above, clear below)");
            }
            Integer min = f.integerOrNull("min_samples", 1, 1000);
            return new AlertStore.RuleSpec(metric, f.token("alert_type"), f.integerOrNull("dept_id", 1, Integer.MAX_VALUE),
                    fire, clear, min == null ? 3 : min, f.oneOf("severity", AlertStore.SEVERITIES), f.bool("enabled", true));
        }
    }

    private final AlertStore alerts;

    public RulesController(Jdbi jdbi) {
        this.alerts = new AlertStore(jdbi);
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public List<AlertStore.Rule> list() {
        return alerts.rules();
    }

    /**
     * How many hosts a rule would fire for now (viewer): its metric's value in each in-scope host's latest sample
     * against {@code fire_at}, for the page's rule form before saving. Not min_samples nor hysteresis state.
     */
    @Get(uri = "/preview", produces = MediaType.APPLICATION_JSON)
    public AlertStore.Preview preview(@QueryValue String metric, @QueryValue("fire_at") String fireAt,
                                      @Nullable @QueryValue("dept_id") Integer deptId) {
        if (!AlertStore.METRICS.contains(metric)) {
            throw Problems.invalid("metric must be one of " + new java.util.TreeSet<>(AlertStore.METRICS));
        }
        double fire;
        try {
            fire = Double.parseDouble(fireAt);   // read here, not bound: a 400 names fire_at, not the Java name
        } catch (NumberFormatException e) {
            fire = Double.NaN;
        }
        if (!Double.isFinite(fire)) {
            throw Problems.invalid("fire_at must be a number");
        }
        return alerts.preview(metric, fire, deptId);
    }

    @Post(produces = MediaType.APPLICATION_JSON)
    @Status(HttpStatus.CREATED)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RuleRequest.class)))
    public AlertStore.Rule create(@Nullable @Body Map<String, Object> body) {
        AlertStore.RuleSpec r = RuleRequest.of(new Fields(body));
        try {
            return alerts.createRule(r);
        } catch (RuntimeException e) {
            throw conflict(e);
        }
    }

    @Put(uri = "/{id}", produces = MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RuleRequest.class)))
    public AlertStore.Rule replace(@PathVariable int id, @Nullable @Body Map<String, Object> body) {
        AlertStore.RuleSpec r = RuleRequest.of(new Fields(body));
        try {
            return alerts.replaceRule(id, r).orElseThrow(() -> Problems.notFound("alert rule " + id + " not found"));
        } catch (Problems.Failure e) {
            throw e;
        } catch (RuntimeException e) {
            throw conflict(e);
        }
    }

    @Delete(uri = "/{id}")
    public HttpResponse<Void> delete(@PathVariable int id) {
        if (!alerts.deleteRule(id)) {
            throw Problems.notFound("alert rule " + id + " not found");
        }
        return HttpResponse.noContent();
    }

    private static RuntimeException conflict(RuntimeException e) {
        return Problems.ofConstraint(e, "a rule for this alert_type, severity and department exists",
                "dept_id: no such department");
    }
}
