package io.fleetwatch.lifecycle;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.LoggerFactory;

/**
 * Serves one component's {@link OpsMetrics} at {@code GET /metrics} on its own address, with the JDK's HTTP server
 * (one thread: Prometheus scrapes every few seconds at most). Open like the API's {@code /metrics}, hence bound to
 * 127.0.0.1 unless told otherwise. Anything else answers 404.
 */
public final class MetricsServer implements AutoCloseable {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService thread;

    private MetricsServer(HttpServer server, ExecutorService thread) {
        this.server = server;
        this.thread = thread;
    }

    /**
     * Listens on {@code bind}:{@code port} ({@code port} 0: a free one, for tests). A port already taken throws
     * {@link java.net.BindException}; the caller names the setting.
     */
    public static MetricsServer start(String component, OpsMetrics metrics, String bind, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                boolean get = "GET".equals(exchange.getRequestMethod()) || "HEAD".equals(exchange.getRequestMethod());
                if (!"/metrics".equals(exchange.getRequestURI().getPath()) || !get) {
                    exchange.sendResponseHeaders(get ? 404 : 405, -1);
                    return;
                }
                byte[] body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
                if ("HEAD".equals(exchange.getRequestMethod())) {
                    exchange.sendResponseHeaders(200, -1);
                    return;
                }
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fleetwatch-metrics-" + component);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.start();
        LoggerFactory.getLogger(MetricsServer.class).info("{}: Prometheus metrics at http://{}:{}/metrics", component,
                bind.contains(":") ? "[" + bind + "]" : bind, server.getAddress().getPort());
        return new MetricsServer(server, thread);
    }

    /** The port listened on (the one chosen when started with 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
