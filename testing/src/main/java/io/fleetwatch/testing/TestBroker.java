package io.fleetwatch.testing;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A fresh virtual host on the real local RabbitMQ (via its management API), deleted on close, so each test class has
 * its own exchanges and queues. Credentials follow the {@code QUEUE_*} variables.
 */
public final class TestBroker implements AutoCloseable {
    private final String host;
    private final int port;
    private final int managementPort;
    private final String user;
    private final String password;
    private final String vhost;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private TestBroker(String vhost) {
        this.host = DevEnv.get("QUEUE_HOST", "127.0.0.1");
        this.port = Integer.parseInt(DevEnv.get("QUEUE_PORT", "5672"));
        this.managementPort = Integer.parseInt(DevEnv.get("QUEUE_MANAGEMENT_PORT", "15672"));
        this.user = DevEnv.get("QUEUE_USER", "guest");
        this.password = DevEnv.get("QUEUE_PASSWORD", "guest");
        this.vhost = vhost;
    }

    public static TestBroker create() {
        String vhost = "fwtest-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        TestBroker b = new TestBroker(vhost);
        int status = b.call("PUT", "/api/vhosts/" + b.encodedVhost(), "{}");
        if (status != 201 && status != 204) {
            throw new IllegalStateException("RabbitMQ management API refused to create vhost " + vhost + ": HTTP " + status);
        }
        status = b.call("PUT", "/api/permissions/" + b.encodedVhost() + "/" + enc(b.user),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
        if (status != 201 && status != 204) {
            throw new IllegalStateException("cannot grant " + b.user + " on vhost " + vhost + ": HTTP " + status);
        }
        return b;
    }

    /** The environment a Fleetwatch component needs to reach this vhost ({@code QUEUE_*} variable names). */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("QUEUE_HOST", host);
        env.put("QUEUE_PORT", Integer.toString(port));
        env.put("QUEUE_USER", user);
        env.put("QUEUE_PASSWORD", password);
        env.put("QUEUE_VHOST", vhost);
        env.put("QUEUE_MANAGEMENT_PORT", Integer.toString(managementPort));
        return env;
    }

    public String vhost() {
        return vhost;
    }

    public String encodedVhost() {
        return enc(vhost);
    }

    /** GET on the management API; the body as a string. */
    public String get(String path) {
        HttpResponse<String> r = send("GET", path, null);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " -> HTTP " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    public int call(String method, String path, String body) {
        return send(method, path, body).statusCode();
    }

    private HttpResponse<String> send(String method, String path, String body) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + managementPort + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("RabbitMQ management API not reachable at " + host + ":" + managementPort
                    + " (" + e + "): run scripts/services (it enables rabbitmq_management)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        call("DELETE", "/api/vhosts/" + encodedVhost(), null);
    }
}
