package io.fleetwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshSettingsTest {
    @TempDir
    Path dir;

    Map<String, String> env(String... kv) throws Exception {
        Path key = dir.resolve("id_ed25519");
        Files.writeString(key, "stand-in");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = new HashMap<>(Map.of("FLEETWATCH_SSH_KEY", key.toString()));
        for (int i = 0; i < kv.length; i += 2) {
            env.put(kv[i], kv[i + 1]);
        }
        return env;
    }

    @Test
    void timeoutsTakeTheOneDurationFormat() throws Exception {
        SshSettings s = SshSettings.fromEnv(env());
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
        // the former forms: ms, s, a bare number of seconds; and now also m (as the YAML file always allowed)
        s = SshSettings.fromEnv(env("FLEETWATCH_SSH_CONNECT_TIMEOUT", "750ms", "FLEETWATCH_SSH_COMMAND_TIMEOUT", "7"));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(s.commandTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(SshSettings.fromEnv(env("FLEETWATCH_SSH_COMMAND_TIMEOUT", "1m")).commandTimeout())
                .isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() -> SshSettings.fromEnv(env("FLEETWATCH_SSH_CONNECT_TIMEOUT", "soon")))
                .hasMessage("FLEETWATCH_SSH_CONNECT_TIMEOUT: 'soon' is not a duration (e.g. 10s, 500ms, 1m)");
    }

    @Test
    void badValuesNameTheKey() throws Exception {
        assertThatThrownBy(() -> SshSettings.fromEnv(Map.of("FLEETWATCH_SSH_KEY", dir.resolve("none").toString())))
                .hasMessage("FLEETWATCH_SSH_KEY: cannot read " + dir.resolve("none"));
        assertThatThrownBy(() -> SshSettings.fromEnv(env("FLEETWATCH_SSH_TOFU", "maybe")))
                .hasMessage("FLEETWATCH_SSH_TOFU: 'maybe' is not true or false");
        Path pw = dir.resolve("password");
        Files.writeString(pw, "x");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> SshSettings.fromEnv(env("FLEETWATCH_SSH_PASSWORD_FILE", pw.toString())))
                .hasMessageStartingWith("FLEETWATCH_SSH_PASSWORD_FILE: " + pw + " is readable by group or others");
    }
}
