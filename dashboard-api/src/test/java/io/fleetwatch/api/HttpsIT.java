package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS when certificate and key files are configured: a self-signed certificate made here with the openssl CLI, the
 * API on 127.0.0.1 with it, a client that trusts exactly that certificate; plain HTTP to the same port gets nothing.
 * A renewed certificate is served without a restart: when the files change, and at once on SIGHUP's reload.
 */
class HttpsIT {
    static final String TOKEN = "https-it-token-0123456789abcdef";

    @TempDir
    Path dir;

    Path[] selfSigned(String name) throws Exception {
        Path cert = Files.createDirectories(dir.resolve(name)).resolve("cert.pem");
        Path key = dir.resolve(name).resolve("key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return new Path[] {cert, key};
    }

    static HttpClient trusting(Path cert) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("api", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @Test
    void theApiSpeaksHttpsWithTheConfiguredCertificateAndNothingElse() throws Exception {
        Path[] files = selfSigned("first");
        ApiSettings settings = new ApiSettings("127.0.0.1", 0, List.of(TOKEN))
                .withTls(new ApiSettings.Tls(files[0], files[1]));
        // no database is needed for /livez: a pool pointed at a port where nothing listens
        try (HikariDataSource ds = HealthProbesIT.pool(HealthProbesIT.closedPort());
             ApiServer api = ApiServer.start(settings, ds, Clock.systemUTC())) {
            assertThat(api.uri().getScheme()).isEqualTo("https");
            HttpResponse<String> live = trusting(files[0]).send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + api.port() + "/livez")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).contains("\"alive\":true");

            HttpClient plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + "/livez")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(java.io.IOException.class);
            // a client that does not trust the certificate is refused too
            assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:"
                    + api.port() + "/livez")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    static int livez(HttpClient client, ApiServer api) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + api.port() + "/livez"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        Path[] first = selfSigned("first");
        Path[] renewed = selfSigned("renewed");
        try (HikariDataSource ds = HealthProbesIT.pool(HealthProbesIT.closedPort());
             ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN))
                     .withTls(new ApiSettings.Tls(first[0], first[1])), ds, Clock.systemUTC())) {
            HttpClient trustsRenewed = trusting(renewed[0]);
            assertThat(livez(trusting(first[0]), api)).isEqualTo(200);
            assertThatThrownBy(() -> livez(trustsRenewed, api)).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
            // the renewal writes the new pair over the old files, key first
            Files.copy(renewed[1], first[1], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed[0], first[0], java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            io.fleetwatch.testing.Await.until(Duration.ofSeconds(30), "the renewed certificate served", () -> {
                try {
                    return livez(trustsRenewed, api) == 200;
                } catch (java.io.IOException notYet) {
                    return false;
                }
            });
        }
    }

    /**
     * SIGHUP's hook: the renewed pair is served as soon as the reload returns, with the files' own recheck far off; a
     * half-written renewal (a key that is not the certificate's) is refused and the certificate in service stays.
     */
    @Test
    void aReloadServesTheRenewedCertificateAtOnceAndRefusesAMismatchedPair() throws Exception {
        Path[] first = selfSigned("first");
        Path[] renewed = selfSigned("renewed");
        Path[] other = selfSigned("other");
        Path cert = Files.copy(first[0], dir.resolve("served-cert.pem"));
        Path key = Files.copy(first[1], dir.resolve("served-key.pem"));
        try (HikariDataSource ds = HealthProbesIT.pool(HealthProbesIT.closedPort());
             ApiServer api = ApiServer.start(new ApiSettings("127.0.0.1", 0, List.of(TOKEN))
                     .withTls(new ApiSettings.Tls(cert, key, Duration.ofHours(1))), ds, Clock.systemUTC())) {
            HttpClient trustsFirst = trusting(first[0]);
            HttpClient trustsRenewed = trusting(renewed[0]);
            assertThat(livez(trustsFirst, api)).isEqualTo(200);
            assertThat(api.reloadCertificate()).as("nothing changed").isFalse();

            // half a renewal: the new key over the old certificate; refused, the first certificate stays in service
            Files.copy(other[1], key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(api.reloadCertificate()).isFalse();
            assertThat(livez(trustsFirst, api)).isEqualTo(200);

            Files.copy(renewed[1], key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed[0], cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(api.reloadCertificate()).as("the renewed pair is in service").isTrue();
            // the server takes the new key store from the provider's stream; a new connection gets it (no recheck
            // for an hour, so nothing but the reload can have done it)
            io.fleetwatch.testing.Await.until(Duration.ofSeconds(5), "the renewed certificate served", () -> {
                try {
                    return livez(trustsRenewed, api) == 200;
                } catch (java.io.IOException notYet) {
                    return false;
                }
            });
            // a new client (the old one keeps its open connection) finds the first certificate gone
            assertThatThrownBy(() -> livez(trusting(first[0]), api)).isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> ApiSettings.fromEnv(java.util.Map.of(ApiSettings.ENV_TOKEN, TOKEN,
                "FLEETWATCH_API_TLS_CERT_FILE", dir.resolve("cert.pem").toString())))
                .hasMessageContaining("set both");
    }
}
