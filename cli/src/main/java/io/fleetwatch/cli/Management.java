package io.fleetwatch.cli;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The RabbitMQ management HTTP API with the broker's own credentials (definitions, virtual hosts), at
 * {@code QUEUE_MANAGEMENT_URL} (e.g. {@code https://mq.example.org:15671}) or else {@code http://QUEUE_HOST:15672}.
 * Over HTTPS the certificate is verified against the broker's CA ({@code QUEUE_TLS_CA_FILE}) or the JVM's trust store.
 */
final class Management {
    static final String ENV_URL = Keys.BROKER_MANAGEMENT_URL.env();

    private Management() {}

    static String vhostPath(String vhost) {
        return URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }

    /** {@code method} {@code /api/…} with an optional JSON body; a non-2xx answer throws with the status. */
    static String call(Map<String, String> env, String method, String path, String body)
            throws IOException, InterruptedException {
        BrokerSettings b = BrokerSettings.fromEnv(env);
        URI uri = URI.create(base(env, b) + path);
        String auth = Base64.getEncoder().encodeToString((b.user() + ":" + b.password()).getBytes(StandardCharsets.UTF_8));
        HttpRequest r = HttpRequest.newBuilder(uri).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        // HTTP/1.1: the management API (cowboy) drops a POST that offers an h2c upgrade
        HttpClient.Builder client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if ("https".equals(uri.getScheme()) && b.tls().caFile() != null) {
            client.sslContext(b.tls().sslContext());
        }
        HttpResponse<String> res = client.build().send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            throw new IOException("RabbitMQ management API " + uri.getHost() + ":" + uri.getPort() + " answered HTTP "
                    + res.statusCode() + " to " + method + " " + path);
        }
        return res.body();
    }

    /** {@code QUEUE_MANAGEMENT_URL} without a trailing slash, or else http://host:management-port. */
    static String base(Map<String, String> env, BrokerSettings b) {
        String base = Settings.fromEnv(env).get(Keys.BROKER_MANAGEMENT_URL);
        if (base == null || base.isBlank()) {
            return "http://" + b.host() + ":" + b.managementPort();
        } else if (!base.strip().matches("https?://[^/\\s]+/?")) {
            throw new IllegalArgumentException(ENV_URL + ": '" + base + "' is not http(s)://host:port");
        }
        return base.strip().replaceAll("/$", "");
    }
}
