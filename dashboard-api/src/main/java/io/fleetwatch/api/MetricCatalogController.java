package io.fleetwatch.api;

import io.fleetwatch.messages.Metric;
import io.fleetwatch.messages.MetricCatalog;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.List;

/**
 * The metric catalog this server was built with: every metric a sample may carry, its unit, kind, valid range,
 * whether alert rules may name it, its chart group and rollup. The page and clients build their charts and rule
 * forms from it instead of a list of their own.
 */
@Controller("/api/metrics/catalog")
public final class MetricCatalogController {
    @Get(produces = MediaType.APPLICATION_JSON)
    public List<Metric> catalog() {
        return MetricCatalog.DEFAULT.all();
    }
}
