package io.fleetwatch.api;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * API settings from the environment.
 *
 * <ul>
 *   <li>{@code FLEETWATCH_API_CORS_ORIGINS}: origins allowed to call the API from a browser (comma-separated, e.g.
 *       https://grafana.lab.example:3000); none by default (the dashboard is served by the API itself)</li>
 *   <li>{@code FLEETWATCH_API_HOST} / {@code FLEETWATCH_API_PORT}: listen address (default 127.0.0.1:8080)</li>
 *   <li>{@code FLEETWATCH_API_TOKEN}: admin bearer token(s), comma-separated; or {@code FLEETWATCH_API_TOKEN_FILE}, a
 *       file readable by the owner only. Optional when {@code fleetwatch admin create-token} has made tokens; the API
 *       does not start with no token at all (see {@link ApiServer#start}).</li>
 *   <li>{@code FLEETWATCH_API_AUTH_MAX_FAILURES} / {@code FLEETWATCH_API_AUTH_FAILURE_WINDOW}: failed token checks a
 *       client address may make within the window (10 in 1m) before it gets 429 ({@link FailedAuthLimiter})</li>
 *   <li>{@code FLEETWATCH_API_TRUSTED_PROXIES}: reverse proxies whose X-Forwarded-For names the client
 *       ({@link ClientAddress})</li>
 *   <li>{@code FLEETWATCH_API_TLS_CERT_FILE} / {@code FLEETWATCH_API_TLS_KEY_FILE}: PEM certificate chain and key; with
 *       both, the API speaks HTTPS only, on the same port</li>
 * </ul>
 */
public record ApiSettings(String host, int port, List<String> tokens, List<String> corsOrigins, AuthLimit authLimit,
                          List<String> trustedProxies, java.util.Optional<Tls> tls) {
    public static final String ENV_CORS = Keys.API_CORS_ORIGINS.env();
    public static final String ENV_TRUSTED_PROXIES = Keys.API_TRUSTED_PROXIES.env();

    /** Failed token checks one client address may make within {@code window} before it is answered 429. */
    public record AuthLimit(int maxFailures, java.time.Duration window) {
        public static final AuthLimit DEFAULT = new AuthLimit(Keys.API_AUTH_MAX_FAILURES.defaultValue(),
                Keys.API_AUTH_FAILURE_WINDOW.defaultValue());

        public AuthLimit {
            if (maxFailures < 1) {
                throw new IllegalArgumentException(Keys.API_AUTH_MAX_FAILURES.env() + ": at least 1");
            }
            if (window == null || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException(Keys.API_AUTH_FAILURE_WINDOW.env() + ": a positive duration");
            }
        }
    }

    /**
     * HTTPS: the certificate chain and its private key, PEM files; read again on SIGHUP and when their contents change
     * (checked every {@code recheck}).
     */
    public record Tls(Path certFile, Path keyFile, java.time.Duration recheck) {
        public Tls {
            java.util.Objects.requireNonNull(certFile, Keys.API_TLS_CERT_FILE.env());
            java.util.Objects.requireNonNull(keyFile, Keys.API_TLS_KEY_FILE.env());
            if (recheck == null || recheck.isNegative() || recheck.isZero()) {
                throw new IllegalArgumentException("recheck must be positive, not " + recheck);
            }
        }

        public Tls(Path certFile, Path keyFile) {
            this(certFile, keyFile, java.time.Duration.ofSeconds(10));
        }

        /** Both or neither: one without the other is a mistake, not plain HTTP. */
        static java.util.Optional<Tls> of(Path cert, Path key) {
            if ((cert == null) != (key == null)) {
                throw new IllegalArgumentException(Keys.API_TLS_CERT_FILE.env() + " and " + Keys.API_TLS_KEY_FILE.env()
                        + ": set both for HTTPS, or neither");
            }
            return cert == null ? java.util.Optional.empty() : java.util.Optional.of(new Tls(cert, key));
        }
    }

    public ApiSettings(String host, int port, List<String> tokens) {
        this(host, port, tokens, List.of());
    }

    public ApiSettings(String host, int port, List<String> tokens, List<String> corsOrigins) {
        this(host, port, tokens, corsOrigins, AuthLimit.DEFAULT, List.of(), java.util.Optional.empty());
    }

    public ApiSettings withAuthLimit(AuthLimit limit) {
        return new ApiSettings(host, port, tokens, corsOrigins, limit, trustedProxies, tls);
    }

    public ApiSettings withTrustedProxies(List<String> proxies) {
        return new ApiSettings(host, port, tokens, corsOrigins, authLimit, proxies, tls);
    }

    public ApiSettings withTls(Tls files) {
        return new ApiSettings(host, port, tokens, corsOrigins, authLimit, trustedProxies, java.util.Optional.of(files));
    }

    public static final String ENV_HOST = Keys.API_HOST.env();
    public static final String ENV_PORT = Keys.API_PORT.env();
    public static final String ENV_TOKEN = Keys.API_TOKEN.env();
    public static final String ENV_TOKEN_FILE = Keys.API_TOKEN_FILE.env();

    public ApiSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(ENV_PORT + ": " + port + " is not a TCP port");
        }
        tokens = List.copyOf(tokens);
        corsOrigins = List.copyOf(corsOrigins);
        java.util.Objects.requireNonNull(authLimit, "authLimit");
        java.util.Objects.requireNonNull(tls, "tls");
        trustedProxies = trustedProxies.stream().map(p -> ClientAddress.literal(ENV_TRUSTED_PROXIES, p)).toList();
        for (String o : corsOrigins) {
            if (!o.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                throw new IllegalArgumentException(ENV_CORS + ": '" + o + "' is not an origin (scheme://host[:port])");
            }
        }
        for (String t : tokens) {
            if (t.length() < 16) {
                throw new IllegalArgumentException(ENV_TOKEN + ": tokens must be at least 16 characters");
            }
        }
    }

    public static ApiSettings from(Settings s) {
        String raw = s.get(Keys.API_TOKEN);
        Path file = s.get(Keys.API_TOKEN_FILE);
        if ((raw == null || raw.isBlank()) && file != null) {
            raw = readSecretFile(ENV_TOKEN_FILE, file);
        }
        List<String> tokens = raw == null ? List.of()
                : Arrays.stream(raw.split("[,\\s]+")).map(String::strip).filter(t -> !t.isEmpty()).toList();
        return new ApiSettings(s.get(Keys.API_HOST), s.get(Keys.API_PORT), tokens,
                s.find(Keys.API_CORS_ORIGINS).orElse(List.of()),
                new AuthLimit(s.get(Keys.API_AUTH_MAX_FAILURES), s.get(Keys.API_AUTH_FAILURE_WINDOW)),
                s.find(Keys.API_TRUSTED_PROXIES).orElse(List.of()),
                Tls.of(s.get(Keys.API_TLS_CERT_FILE), s.get(Keys.API_TLS_KEY_FILE)));
    }

    public static ApiSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    static String readSecretFile(String key, Path p) {
        try {
            var perms = Files.getPosixFilePermissions(p);
            if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                throw new IllegalArgumentException(key + ": " + p + " is readable by group or others; chmod 600 it");
            }
            return Files.readString(p).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + p + " (" + e.getMessage() + ")");
        }
    }
}
