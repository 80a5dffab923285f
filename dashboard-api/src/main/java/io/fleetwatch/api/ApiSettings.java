package io.fleetwatch.api;

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
    public static final String ENV_CORS = "FLEETWATCH_API_CORS_ORIGINS";

    public ApiSettings(String host, int port, List<String> tokens) {
        this(host, port, tokens, List.of());
    }

    public static final String ENV_HOST = "FLEETWATCH_API_HOST";
    public static final String ENV_PORT = "FLEETWATCH_API_PORT";
    public static final String ENV_TOKEN = "FLEETWATCH_API_TOKEN";
    public static final String ENV_TOKEN_FILE = "FLEETWATCH_API_TOKEN_FILE";

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

    public static ApiSettings fromEnv(Map<String, String> env) {
        String host = env.getOrDefault(ENV_HOST, "127.0.0.1");
        int port;
        try {
            port = Integer.parseInt(env.getOrDefault(ENV_PORT, "8080").trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(ENV_PORT + ": '" + env.get(ENV_PORT) + "' is not a port number");
        }
        String raw = env.get(ENV_TOKEN);
        String file = env.get(ENV_TOKEN_FILE);
        if ((raw == null || raw.isBlank()) && file != null && !file.isBlank()) {
            raw = readSecretFile(ENV_TOKEN_FILE, Path.of(file));
        }
        List<String> tokens = raw == null ? List.of()
                : Arrays.stream(raw.split("[,\\s]+")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        List<String> cors = Arrays.stream(env.getOrDefault(ENV_CORS, "").split("[,\\s]+")).map(String::strip)
                .filter(x -> !x.isEmpty()).toList();
        return new ApiSettings(host, port, tokens, cors);
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
