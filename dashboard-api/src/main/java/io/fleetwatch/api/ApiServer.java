package io.fleetwatch.api;

import io.fleetwatch.sql.ReadReplica;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/** Starts the Micronaut HTTP server with Fleetwatch's own settings and pool (no application.yml to look for). */
public final class ApiServer implements AutoCloseable {
    private final ApplicationContext context;
    private final EmbeddedServer server;
    private final HealthChecks health;

    private ApiServer(ApplicationContext context, HealthChecks health) {
        this.context = context;
        this.health = health;
        this.server = context.getBean(EmbeddedServer.class);
    }

    public static ApiServer start(ApiSettings settings, DataSource dataSource, Clock clock) {
        return start(settings, dataSource, clock, null);
    }

    /** With a broker, {@code /api/queues} reports the queues' depths; without one it says the broker is not configured. */
    public static ApiServer start(ApiSettings settings, DataSource dataSource, Clock clock,
                                  io.fleetwatch.broker.BrokerSettings broker) {
        return start(settings, dataSource, null, clock, broker);
    }

    /** With a replica (may be null), the read-only endpoints read from it while it serves; writes use the primary. */
    public static ApiServer start(ApiSettings settings, DataSource dataSource, ReadReplica replica, Clock clock,
                                  io.fleetwatch.broker.BrokerSettings broker) {
        Jdbi jdbi = Reads.jdbi(dataSource);
        Reads reads = Reads.of(jdbi, replica);
        if (settings.tokens().isEmpty() && !io.fleetwatch.api.internal.TokenCheck.anyInDatabase(jdbi)) {
            throw new IllegalArgumentException(ApiSettings.ENV_TOKEN + ": not set and no token in the database; the API"
                    + " does not start open (run: fleetwatch admin create-token --name NAME --role admin)");
        }
        io.fleetwatch.store.MetricStore.requireCatalogColumnsAtStart(dataSource); // a metric without its migration
        HealthChecks health = new HealthChecks(dataSource, broker);
        try {
            return new ApiServer(context(settings, jdbi, reads, clock, broker, health), health);
        } catch (RuntimeException e) {
            health.close();
            throw e;
        }
    }

    private static ApplicationContext context(ApiSettings settings, Jdbi jdbi, Reads reads, Clock clock,
                                              io.fleetwatch.broker.BrokerSettings broker, HealthChecks health) {
        return Micronaut.build(new String[0])
                .banner(false)
                .deduceEnvironment(false)
                .properties(tls(settings))
                .properties(Map.ofEntries(
                        Map.entry("micronaut.application.name", "fleetwatch-api"),
                        Map.entry("micronaut.server.host", settings.host()),
                        Map.entry("micronaut.server.port", settings.port()),
                        Map.entry("micronaut.server.max-request-size", "1MB"),
                        // Bodies are small (≤ 1 MB): aggregate them before routing. The streamed default can spin
                        // forever (heap exhausted in seconds) when a body arrives after the headers and the answer
                        // is an error (micronaut-core#12940; ApiIT hit it under CPU load).
                        Map.entry("micronaut.server.netty.server-type", "FULL_CONTENT"),
                        // the web dashboard: static files from the jar (Chart.js copied in by the build)
                        Map.entry("micronaut.router.static-resources.ui.enabled", true),
                        Map.entry("micronaut.router.static-resources.ui.paths", "classpath:public"),
                        Map.entry("micronaut.router.static-resources.ui.mapping", "/ui/**"),
                        // the OpenAPI document generated at compile time (ApiDocument)
                        Map.entry("micronaut.router.static-resources.openapi.enabled", true),
                        Map.entry("micronaut.router.static-resources.openapi.paths", "classpath:META-INF/swagger"),
                        Map.entry("micronaut.router.static-resources.openapi.mapping", "/openapi/**"),
                        Map.entry("jackson.serialization.write-dates-as-timestamps", false),
                        Map.entry("micronaut.server.cors.enabled", !settings.corsOrigins().isEmpty()),
                        Map.entry("micronaut.server.cors.configurations.web.allowed-origins", settings.corsOrigins()),
                        // "gpu_percent": null means "no GPU"; dropping nulls would hide that
                        Map.entry("jackson.serialization-inclusion", "ALWAYS"),
                        // the response records' camelCase components are the contract's snake_case fields
                        Map.entry("jackson.property-naming-strategy", "SNAKE_CASE")))
                .singletons(broker == null
                        ? new Object[] {settings, jdbi, reads, clock, health, new QueuesController.NoBroker()}
                        : new Object[] {settings, jdbi, reads, clock, health, broker})
                .start();
    }

    /**
     * HTTPS on the configured port, and nothing else there, when certificate and key are given: {@link PemCertificate}
     * reads the PEM files (the chain, and the key in PKCS#8 or PKCS#1), again on SIGHUP ({@link #reloadCertificate})
     * and when they change.
     */
    static Map<String, Object> tls(ApiSettings settings) {
        if (settings.tls().isEmpty()) {
            return Map.of();
        }
        ApiSettings.Tls t = settings.tls().get();
        for (var f : java.util.List.of(t.certFile(), t.keyFile())) {
            if (!java.nio.file.Files.isReadable(f)) {
                throw new IllegalArgumentException((f == t.certFile() ? io.fleetwatch.settings.Keys.API_TLS_CERT_FILE
                        : io.fleetwatch.settings.Keys.API_TLS_KEY_FILE).env() + ": cannot read " + f);
            }
        }
        return Map.of(
                "micronaut.server.ssl.enabled", true,
                // the one listening port speaks TLS (-1: any free port, as 0 is for plain HTTP)
                "micronaut.server.ssl.port", settings.port() == 0 ? -1 : settings.port(),
                "micronaut.server.dual-protocol", false,
                "micronaut.server.ssl.key-name", PemCertificate.NAME,
                PemCertificate.KEY_FILE, t.keyFile().toString(),
                PemCertificate.CERT_FILE, t.certFile().toString(),
                // a renewed certificate (certbot, an internal CA) is served without a restart: on SIGHUP at once, and
                // when the files' contents change, within this
                PemCertificate.RECHECK, t.recheck().toMillis() + "ms");
    }

    /**
     * Reads the HTTPS certificate files again and serves them if they changed (what SIGHUP does); false without
     * HTTPS, when unchanged, or when the new pair is refused (the certificate in service stays, the log says why).
     */
    public boolean reloadCertificate() {
        return context.findBean(PemCertificate.class).map(PemCertificate::reload).orElse(false);
    }

    public URI uri() {
        return server.getURI();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        context.close();
        health.close();
    }

}
