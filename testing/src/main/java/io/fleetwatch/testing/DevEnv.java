package io.fleetwatch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment tests run with: the process environment, over the file that {@code scripts/services} writes
 * ({@code ~/.config/fleetwatch/dev.env}, mode 0600) with the generated local credentials.
 */
public final class DevEnv {
    private DevEnv() {}

    private static final Map<String, String> ENV = load();

    public static String get(String key, String fallback) {
        return ENV.getOrDefault(key, fallback);
    }

    public static Map<String, String> all() {
        return ENV;
    }

    public static Path file() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("fleetwatch").resolve("dev.env");
    }

    private static Map<String, String> load() {
        Map<String, String> env = new HashMap<>();
        Path f = file();
        if (Files.isReadable(f)) {
            try {
                for (String line : Files.readAllLines(f)) {
                    line = line.strip();
                    if (line.isEmpty() || line.startsWith("#") || !line.contains("=")) {
                        continue;
                    }
                    line = line.startsWith("export ") ? line.substring(7) : line;
                    int eq = line.indexOf('=');
                    String value = line.substring(eq + 1).strip();
                    if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                            || value.startsWith("\"") && value.endsWith("\""))) {
                        value = value.substring(1, value.length() - 1);
                    }
                    env.put(line.substring(0, eq).strip(), value);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + f + ": " + e.getMessage(), e);
            }
        }
        env.putAll(System.getenv());
        return Map.copyOf(env);
    }
}
