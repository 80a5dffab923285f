package io.fleetwatch.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Seed 003's probes: {@code /livez} (process up), {@code /readyz} (can serve: database reachable and migrated). */
@Controller
public final class HealthController {
    private final Jdbi jdbi;

    public HealthController(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Get("/livez")
    public Map<String, Object> livez() {
        return Map.of("alive", true, "version", Version.get());
    }

    @Get("/readyz")
    public HttpResponse<Map<String, Object>> readyz() {
        String problem = databaseProblem();
        if (problem == null) {
            return HttpResponse.ok(Map.of("ready", true));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", false);
        body.put("reason", problem);
        return HttpResponse.<Map<String, Object>>status(io.micronaut.http.HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    private String databaseProblem() {
        try {
            String storage = jdbi.withHandle(h -> h.createQuery(
                    "SELECT value FROM fleetwatch_meta WHERE key = 'metrics_storage'").mapTo(String.class).findOne()
                    .orElse(null));
            return storage == null ? "database not migrated (run fleetwatch db migrate)" : null;
        } catch (RuntimeException e) {
            return "database unavailable";
        }
    }
}
