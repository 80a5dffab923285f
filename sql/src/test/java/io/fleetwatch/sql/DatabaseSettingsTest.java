package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseSettingsTest {

    @Test
    void libpqUrlBecomesJdbcWithCredentialsApart() {
        DatabaseSettings s = DatabaseSettings.fromEnv(Map.of("DATABASE_URL",
                "postgresql://fleet%40ops:p%3Ass@db.example:6432/fw?sslmode=verify-full"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6432/fw?sslmode=verify-full");
        assertThat(s.user()).isEqualTo("fleet@ops");
        assertThat(s.password()).isEqualTo("p:ss");
        assertThat(s.toString()).doesNotContain("p:ss").contains("password=***");
    }

    @Test
    void jdbcUrlCredentialsAreTakenOutOfTheUrl() {
        DatabaseSettings s = DatabaseSettings.fromEnv(Map.of("DATABASE_URL",
                "jdbc:postgresql://127.0.0.1:5432/fleetwatch?user=fw&password=secret&sslmode=disable"));
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/fleetwatch?sslmode=disable");
        assertThat(s.user()).isEqualTo("fw");
        assertThat(s.password()).isEqualTo("secret");
        assertThat(s.toString()).doesNotContain("secret");
    }

    @Test
    void passwordFromItsOwnVariableWins() {
        DatabaseSettings s = DatabaseSettings.fromEnv(Map.of("DATABASE_URL", "postgresql://fw@localhost/fleetwatch",
                "DATABASE_PASSWORD", "fromenv"));
        assertThat(s.password()).isEqualTo("fromenv");
        assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:5432/fleetwatch");
    }

    /** A new user's first command from a fresh shell: the message says which file holds the settings and how to load it. */
    @Test
    void missingUrlPointsAtTheLocalServicesFileWhenItExists(@TempDir Path home) throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(env))
                .hasMessage("DATABASE_URL: not set (e.g. postgresql://fleetwatch@127.0.0.1:5432/fleetwatch)");
        Path file = home.resolve(".config/fleetwatch/dev.env");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "DATABASE_URL=postgresql://fw@127.0.0.1/fw\n");
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(env)).hasMessage("DATABASE_URL: not set"
                + " (e.g. postgresql://fleetwatch@127.0.0.1:5432/fleetwatch); the local services' settings are in"
                + " ~/.config/fleetwatch/dev.env, load them first: set -a; . ~/.config/fleetwatch/dev.env; set +a");
        Path xdg = home.resolve("elsewhere");
        Files.createDirectories(xdg.resolve("fleetwatch"));
        Files.copy(file, xdg.resolve("fleetwatch/dev.env"));
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(Map.of("HOME", "/nonexistent", "XDG_CONFIG_HOME", xdg.toString())))
                .hasMessageEndingWith("; . " + xdg.resolve("fleetwatch/dev.env") + "; set +a");
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(Map.of())).hasMessageStartingWith("DATABASE_URL: not set");
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(Map.of("DATABASE_URL", "mysql://x/y")))
                .hasMessageStartingWith("DATABASE_URL: must start with");
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(Map.of("DATABASE_URL", "postgresql://u:secret@h/db",
                "DATABASE_POOL_SIZE", "many"))).hasMessageStartingWith("DATABASE_POOL_SIZE:");
        assertThatThrownBy(() -> DatabaseSettings.fromEnv(Map.of("DATABASE_URL", "postgresql://u:sec ret@h/db")))
                .hasMessageStartingWith("DATABASE_URL: not a valid URL").hasMessageNotContaining("sec ret");
    }
}
