package io.fleetwatch.collector;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SSH settings from the environment.
 * <ul>
 *   <li>{@code FLEETWATCH_SSH_USER} (fleetwatch): login for hosts that name none</li>
 *   <li>{@code FLEETWATCH_SSH_KEY}: private key file(s), comma-separated (ed25519, RSA, ECDSA); default
 *       ~/.ssh/id_ed25519 and ~/.ssh/id_rsa where present</li>
 *   <li>{@code FLEETWATCH_SSH_PASSWORD} or {@code FLEETWATCH_SSH_PASSWORD_FILE} (mode 0600): optional password</li>
 *   <li>{@code FLEETWATCH_SSH_KNOWN_HOSTS} (~/.ssh/known_hosts): host keys are verified against it, always</li>
 *   <li>{@code FLEETWATCH_SSH_TOFU} (false): trust on first use: record the key of a host not yet in known_hosts.
 *       A changed key is refused either way.</li>
 *   <li>{@code FLEETWATCH_SSH_CONNECT_TIMEOUT} (5s), {@code FLEETWATCH_SSH_COMMAND_TIMEOUT} (10s), in the settings'
 *       one duration format ({@code 500ms}, {@code 5s}, {@code 1m}, a bare number of seconds)</li>
 * </ul>
 */
public record SshSettings(String defaultUser, List<Path> identities, String password, Path knownHosts, boolean tofu,
                          Duration connectTimeout, Duration commandTimeout) {

    @Override
    public String toString() {
        return "SshSettings[user=" + defaultUser + ", identities=" + identities + ", password="
                + (password == null ? "none" : "***") + ", knownHosts=" + knownHosts + ", tofu=" + tofu + "]";
    }

    public static SshSettings from(Settings s) {
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> keys = new ArrayList<>();
        List<String> named = s.find(Keys.SSH_KEY).orElse(List.of());
        if (!named.isEmpty()) {
            for (String k : named) {
                Path p = Path.of(k);
                if (!Files.isReadable(p)) {
                    throw Keys.SSH_KEY.invalid("cannot read " + p);
                }
                keys.add(p);
            }
        } else {
            for (String name : List.of("id_ed25519", "id_rsa", "id_ecdsa")) {
                Path p = home.resolve(".ssh").resolve(name);
                if (Files.isReadable(p)) {
                    keys.add(p);
                }
            }
        }
        String password = s.get(Keys.SSH_PASSWORD);
        Path passwordFile = s.get(Keys.SSH_PASSWORD_FILE);
        if ((password == null || password.isEmpty()) && passwordFile != null) {
            password = readSecret(passwordFile);
        }
        if (keys.isEmpty() && (password == null || password.isEmpty())) {
            throw Keys.SSH_KEY.invalid("no private key found (and no password set)");
        }
        return new SshSettings(s.get(Keys.SSH_USER), List.copyOf(keys), password,
                s.find(Keys.SSH_KNOWN_HOSTS).orElse(home.resolve(".ssh/known_hosts")), s.get(Keys.SSH_TOFU),
                s.get(Keys.SSH_CONNECT_TIMEOUT), s.get(Keys.SSH_COMMAND_TIMEOUT));
    }

    public static SshSettings fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    private static String readSecret(Path p) {
        try {
            var perms = Files.getPosixFilePermissions(p);
            if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                throw Keys.SSH_PASSWORD_FILE.invalid(p + " is readable by group or others; chmod 600 it");
            }
            return Files.readString(p).strip();
        } catch (java.io.IOException e) {
            throw Keys.SSH_PASSWORD_FILE.invalid("cannot read " + p);
        }
    }
}
