package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.store.TokenStore;
import io.fleetwatch.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Retiring a system from the API: shown as retired_at, and no-data detection leaves it alone until unretired. */
class RetireApiIT {
    static final String ADMIN = "retire-admin-0123456789abcdef";
    static final String VIEWER = "retire-viewer-0123456789abcdef";
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static TestDatabase db;
    static HikariDataSource ds;
    static Jdbi jdbi;
    static ApiServer api;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "retire-it");
        new Migrator(ds, "auto").migrate();
        jdbi = Jdbi.create(ds);
        new TokenStore(jdbi).create(new TokenStore.Holder("watcher", "viewer"), TokenCheck.sha256(VIEWER));
        api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(ADMIN)), ds, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterAll
    static void stop() {
        api.close();
        ds.close();
        db.close();
    }

    static HttpResponse<String> call(String method, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + path))
                .header("Authorization", "Bearer " + token)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Runs no-data detection an hour after the samples stopped; the no_data events it raised for the system. */
    static int silenceEvents(long system) {
        return jdbi.withHandle(h -> {
            h.createQuery("SELECT fw_detect_silence(CAST(:t AS timestamptz))").bind("t", NOW.plusSeconds(3600).toString())
                    .mapTo(Integer.class).one();
            return h.createQuery("SELECT count(*) FROM alert_events WHERE system_id = :s AND alert_type = 'no_data'"
                    + " AND state = 'firing'").bind("s", system).mapTo(Integer.class).one();
        });
    }

    @Test
    void retireAndUnretire() throws Exception {
        long sys = jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname, status) VALUES ('old-box', 'up')"
                + " RETURNING id").mapTo(Long.class).one());
        jdbi.useHandle(h -> h.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent,"
                + " disk_percent, network_sent_mbps, network_recv_mbps, uptime_seconds, logged_in_users)"
                + " SELECT ?, TIMESTAMPTZ '2026-11-20 11:00:00Z' + g * interval '10 seconds', 5, 10, 10, 0, 0, 1, 0"
                + " FROM generate_series(0, 60) g", sys));
        assertThat(JSON.readTree(call("GET", "/api/systems/" + sys, VIEWER).body()).get("retired_at").isNull()).isTrue();
        assertThat(call("POST", "/api/systems/" + sys + "/retire", VIEWER).statusCode()).isEqualTo(403);
        assertThat(call("POST", "/api/systems/999999/retire", ADMIN).statusCode()).isEqualTo(404);

        HttpResponse<String> retired = call("POST", "/api/systems/" + sys + "/retire", ADMIN);
        assertThat(retired.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(retired.body()).get("retired_at").asText()).isEqualTo(NOW.toString());
        JsonNode listed = JSON.readTree(call("GET", "/api/systems", VIEWER).body());
        assertThat(listed).anySatisfy(s -> assertThat(s.get("retired_at").asText()).isEqualTo(NOW.toString()));
        assertThat(silenceEvents(sys)).as("retired: never silent").isZero();

        HttpResponse<String> back = call("POST", "/api/systems/" + sys + "/unretire", ADMIN);
        assertThat(back.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(back.body()).get("retired_at").isNull()).isTrue();
        assertThat(silenceEvents(sys)).as("in service again: its silence is noticed").isEqualTo(1);
    }
}
