package io.fleetwatch.sql;

import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where the database is: {@code DATABASE_URL}, either libpq form
 * {@code postgresql://user:pass@host:5432/db?sslmode=require} or JDBC form
 * {@code jdbc:postgresql://host:5432/db?user=..&password=..}. {@code DATABASE_PASSWORD} supplies a password kept
 * out of the URL.
 *
 * <p>{@link #toString()} never shows the password.
 */
public record DatabaseSettings(String jdbcUrl, String user, String password, int poolSize) {
    public static final String ENV_URL = Keys.DATABASE_URL.env();
    public static final String ENV_PASSWORD = Keys.DATABASE_PASSWORD.env();
    public static final String ENV_POOL_SIZE = Keys.DATABASE_POOL_SIZE.env();

    public DatabaseSettings {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException(ENV_URL + ": must be postgresql://... or jdbc:postgresql://...");
        }
        if (poolSize < 1 || poolSize > 200) {
            throw new IllegalArgumentException(ENV_POOL_SIZE + ": must be 1..200, not " + poolSize);
        }
    }

    public static DatabaseSettings from(Settings s) {
        return from(s, Keys.DATABASE_URL);
    }

    public static DatabaseSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    /** The server named by {@code urlKey} (the primary's or a replica's URL), with the shared password and pool size. */
    static DatabaseSettings from(Settings s, Key<String> urlKey) {
        String url = s.get(urlKey);
        if (url == null || url.isBlank()) {
            throw urlKey.invalid("not set (e.g. postgresql://fleetwatch@127.0.0.1:5432/fleetwatch)"
                    + (urlKey == Keys.DATABASE_URL ? devEnvHint(s) : ""));
        }
        int pool = s.get(Keys.DATABASE_POOL_SIZE);
        DatabaseSettings parsed = parse(urlKey.env(), url, pool);
        String pw = s.get(Keys.DATABASE_PASSWORD);
        return pw == null ? parsed : new DatabaseSettings(parsed.jdbcUrl, parsed.user, pw, pool);
    }

    /**
     * Where {@code scripts/services} left the local settings, when that file exists: a new user runs a command from
     * a fresh shell, and the file's name and the line that loads it are what they are missing. Empty otherwise.
     */
    static String devEnvHint(Settings s) {
        String xdg = s.variable("XDG_CONFIG_HOME");
        String homeVar = s.variable("HOME");
        Path home = Path.of(homeVar != null && !homeVar.isBlank() ? homeVar : System.getProperty("user.home"));
        Path file = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".config"))
                .resolve("fleetwatch").resolve("dev.env");
        if (!Files.isRegularFile(file)) {
            return "";
        }
        String shown = file.startsWith(home) ? "~/" + home.relativize(file) : file.toString();
        return "; the local services' settings are in " + shown + ", load them first: set -a; . " + shown + "; set +a";
    }

    static DatabaseSettings parse(String urlKey, String url, int poolSize) {
        if (url.startsWith("jdbc:postgresql://")) {
            Map<String, String> params = query(url.contains("?") ? url.substring(url.indexOf('?') + 1) : "");
            String user = params.remove("user");
            String password = params.remove("password");
            String base = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
            return new DatabaseSettings(base + join(params), user, password, poolSize);
        }
        if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
            throw new IllegalArgumentException(urlKey + ": must start with postgresql://, postgres:// or jdbc:postgresql://");
        }
        try {
            URI u = new URI(url);
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            String host = u.getHost() == null ? "localhost" : u.getHost();
            int port = u.getPort() < 0 ? 5432 : u.getPort();
            String db = u.getRawPath() == null || u.getRawPath().length() <= 1 ? "fleetwatch" : u.getRawPath().substring(1);
            Map<String, String> params = query(u.getRawQuery() == null ? "" : u.getRawQuery());
            return new DatabaseSettings("jdbc:postgresql://" + host + ":" + port + "/" + db + join(params), user, password,
                    poolSize);
        } catch (URISyntaxException e) {
            // the URL may hold a password: say where it is wrong, not what it is
            throw new IllegalArgumentException(urlKey + ": not a valid URL (position " + e.getIndex() + ")");
        }
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String kv : q.split("&")) {
            if (kv.isEmpty()) {
                continue;
            }
            int eq = kv.indexOf('=');
            out.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
        }
        return out;
    }

    private static String join(Map<String, String> params) {
        if (params.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("?");
        params.forEach((k, v) -> sb.append(sb.length() > 1 ? "&" : "").append(k).append('=').append(v));
        return sb.toString();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + jdbcUrl + ", user=" + user + ", password=" + (password == null ? "none" : "***") + "]";
    }
}
