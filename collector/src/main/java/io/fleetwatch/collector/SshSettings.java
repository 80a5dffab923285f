package io.fleetwatch.collector;

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
 *   <li>{@code FLEETWATCH_SSH_CONNECT_TIMEOUT} (5s), {@code FLEETWATCH_SSH_COMMAND_TIMEOUT} (10s)</li>
 * </ul>
 */
public record SshSettings(String defaultUser, List<Path> identities, String password, Path knownHosts, boolean tofu,
                          Duration connectTimeout, Duration commandTimeout) {

    @Override
    public String toString() {
        return "SshSettings[user=" + defaultUser + ", identities=" + identities + ", password="
                + (password == null ? "none" : "***") + ", knownHosts=" + knownHosts + ", tofu=" + tofu + "]";
    }

    public static SshSettings fromEnv(Map<String, String> env) {
        Path home = Path.of(System.getProperty("user.home"));
        List<Path> keys = new ArrayList<>();
        String keyEnv = env.get("FLEETWATCH_SSH_KEY");
        if (keyEnv != null && !keyEnv.isBlank()) {
            for (String k : keyEnv.split(",")) {
                Path p = Path.of(k.trim());
                if (!Files.isReadable(p)) {
                    throw new IllegalArgumentException("FLEETWATCH_SSH_KEY: cannot read " + p);
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
        String password = env.get("FLEETWATCH_SSH_PASSWORD");
        String passwordFile = env.get("FLEETWATCH_SSH_PASSWORD_FILE");
        if ((password == null || password.isEmpty()) && passwordFile != null && !passwordFile.isBlank()) {
            password = readSecret(Path.of(passwordFile));
        }
        if (keys.isEmpty() && (password == null || password.isEmpty())) {
            throw new IllegalArgumentException("FLEETWATCH_SSH_KEY: no private key found (and no password set)");
        }
        return new SshSettings(env.getOrDefault("FLEETWATCH_SSH_USER", "fleetwatch"), List.copyOf(keys), password,
                Path.of(env.getOrDefault("FLEETWATCH_SSH_KNOWN_HOSTS", home.resolve(".ssh/known_hosts").toString())),
                Boolean.parseBoolean(env.getOrDefault("FLEETWATCH_SSH_TOFU", "false")),
                seconds(env, "FLEETWATCH_SSH_CONNECT_TIMEOUT", "5s"), seconds(env, "FLEETWATCH_SSH_COMMAND_TIMEOUT", "10s"));
    }

    private static Duration seconds(Map<String, String> env, String key, String fallback) {
        String v = env.getOrDefault(key, fallback).trim();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            return Duration.ofSeconds(Long.parseLong(v.endsWith("s") ? v.substring(0, v.length() - 1) : v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + v + "' is not a duration (e.g. 5s, 500ms)");
        }
    }

    private static String readSecret(Path p) {
        try {
            var perms = Files.getPosixFilePermissions(p);
            if (perms.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                throw new IllegalArgumentException("FLEETWATCH_SSH_PASSWORD_FILE: " + p + " is readable by group or"
                        + " others; chmod 600 it");
            }
            return Files.readString(p).strip();
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("FLEETWATCH_SSH_PASSWORD_FILE: cannot read " + p);
        }
    }
}
