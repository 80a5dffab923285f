package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.MaintenanceModeStore;
import io.fleetwatch.store.TokenStore;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** Maintenance mode from the API: admins switch it, everyone reads it, and writes get 503 with Retry-After. */
class MaintenanceModeApiIT {
    static final String ADMIN = "maintenance-admin-0123456789";
    static final String VIEWER = "maintenance-viewer-0123456789";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();

    static HttpResponse<String> call(ApiServer api, String method, String path, String token, String body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void writesWaitWhileItIsOn() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())),
                     "maintenance-api-it")) {
            new Migrator(ds, "auto").migrate();
            Jdbi jdbi = Jdbi.create(ds);
            new TokenStore(jdbi).create(new TokenStore.Holder("watcher", "viewer"), TokenCheck.sha256(VIEWER));
            String window = "{\"starts_at\": \"2026-12-01T00:00:00Z\", \"ends_at\": \"2026-12-01T01:00:00Z\"}";
            try (ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(ADMIN)), ds,
                    Clock.systemUTC())) {
                assertThat(JSON.readTree(call(api, "GET", "/api/maintenance-mode", VIEWER, null).body())
                        .get("enabled").asBoolean()).isFalse();
                assertThat(call(api, "PUT", "/api/maintenance-mode", VIEWER, "{\"enabled\": true}").statusCode())
                        .isEqualTo(403);
                assertThat(call(api, "PUT", "/api/maintenance-mode", ADMIN, "{}").statusCode()).isEqualTo(400);

                HttpResponse<String> on = call(api, "PUT", "/api/maintenance-mode", ADMIN,
                        "{\"enabled\": true, \"reason\": \"database upgrade\"}");
                assertThat(on.statusCode()).isEqualTo(200);
                JsonNode mode = JSON.readTree(call(api, "GET", "/api/maintenance-mode", VIEWER, null).body());
                assertThat(mode.get("enabled").asBoolean()).isTrue();
                assertThat(mode.get("reason").asText()).isEqualTo("database upgrade");
                assertThat(mode.get("set_by").asText()).isEqualTo("env");

                HttpResponse<String> refused = call(api, "POST", "/api/maintenance-windows", ADMIN, window);
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("60");
                assertThat(call(api, "DELETE", "/api/alert-rules/1", ADMIN, null).statusCode()).isEqualTo(503);
                assertThat(call(api, "GET", "/api/alert-rules", VIEWER, null).statusCode()).as("reads go on")
                        .isEqualTo(200);

                HttpResponse<String> off = call(api, "PUT", "/api/maintenance-mode", ADMIN, "{\"enabled\": false}");
                assertThat(off.statusCode()).isEqualTo(200);
                assertThat(call(api, "POST", "/api/maintenance-windows", ADMIN, window).statusCode()).isEqualTo(201);

                // switched by another process (the CLI): noticed within the API's check interval
                new MaintenanceModeStore(jdbi).set(true, "from the shell", "root", Instant.now());
                Thread.sleep(MaintenanceModeController.CHECK.plus(Duration.ofMillis(300)).toMillis());
                assertThat(call(api, "POST", "/api/maintenance-windows", ADMIN, window).statusCode()).isEqualTo(503);
            }
        }
    }
}
