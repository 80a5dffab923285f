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
 * </ul>
 */
public record ApiSettings(String host, int port, List<String> tokens, List<String> corsOrigins) {
    public static final String ENV_CORS = Keys.API_CORS_ORIGINS.env();

    public ApiSettings(String host, int port, List<String> tokens) {
        this(host, port, tokens, List.of());
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
                s.find(Keys.API_CORS_ORIGINS).orElse(List.of()));
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
