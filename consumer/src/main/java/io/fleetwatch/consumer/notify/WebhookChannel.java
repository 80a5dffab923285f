package io.fleetwatch.consumer.notify;

import io.fleetwatch.messages.MessageCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** POSTs the notice as JSON; any non-2xx answer or I/O error is a failed attempt. */
public final class WebhookChannel implements Channel {
    private final URI url;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;

    public WebhookChannel(URI url, String authorization, Duration timeout) {
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("FLEETWATCH_WEBHOOK_URL: must be http(s), not " + url.getScheme());
        }
        this.url = url;
        this.authorization = authorization;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public void send(Notice notice) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "fleetwatch")
                .POST(HttpRequest.BodyPublishers.ofByteArray(MessageCodec.encode(notice)));
        if (authorization != null && !authorization.isBlank()) {
            b.header("Authorization", authorization);
        }
        HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
            // the URL may carry a token in its query: name the host only
            throw new IllegalStateException("webhook " + url.getHost() + " answered HTTP " + r.statusCode());
        }
    }
}
