package io.fleetwatch.cli;

import io.fleetwatch.broker.BrokerSettings;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The RabbitMQ management HTTP API with the broker's own credentials (definitions, virtual hosts). */
final class Management {
    private Management() {}

    static String vhostPath(String vhost) {
        return URLEncoder.encode(vhost, StandardCharsets.UTF_8);
    }

    /** {@code method} {@code /api/…} with an optional JSON body; a non-2xx answer throws with the status. */
    static String call(BrokerSettings b, String method, String path, String body) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + b.host() + ":" + b.managementPort() + path);
        String auth = Base64.getEncoder().encodeToString((b.user() + ":" + b.password()).getBytes(StandardCharsets.UTF_8));
        HttpRequest r = HttpRequest.newBuilder(uri).header("Authorization", "Basic " + auth)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        // HTTP/1.1: the management API (cowboy) drops a POST that offers an h2c upgrade
        HttpResponse<String> res = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build().send(r, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() / 100 != 2) {
            throw new IOException("RabbitMQ management API " + uri.getHost() + ":" + uri.getPort() + " answered HTTP "
                    + res.statusCode() + " to " + method + " " + path);
        }
        return res.body();
    }
}
