package io.fleetwatch.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SettingsTest {
    @Test
    void theDurationFormatTakesTheOldFormsOfBothParsers() {
        // the agent's former parser: a number and ms|s|m|h|d (space allowed between), or ISO-8601
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("10 s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Durations.parse("PT1M")).isEqualTo(Duration.ofMinutes(1));
        // the SSH collector's former parser: ms, s, or a bare number of seconds, surrounding blanks stripped
        assertThat(Durations.parse(" 5s ")).isEqualTo(Duration.ofSeconds(5));
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("7")).isEqualTo(Duration.ofSeconds(7));
        // and the YAML file's former patterns (\d+(ms|s|m)?, \d+(ms|s|m|h)?, \d+(s|m|h|d)?) all match the one REGEX
        for (String v : List.of("5", "5ms", "5s", "5m", "5h", "5d", "PT10S")) {
            assertThat(v).matches(Durations.REGEX);
            assertThat(Durations.parse(v)).isPositive();
        }
        assertThatThrownBy(() -> Durations.parse("K", "often"))
                .hasMessage("K: 'often' is not a duration (e.g. 10s, 500ms, 1m)");
        assertThatThrownBy(() -> Durations.parse("5 minutes")).hasMessageContaining("is not a duration");
    }

    @Test
    void valuesAreTypedDefaultedAndErrorsNameTheVariable() {
        Settings s = Settings.fromEnv(Map.of("QUEUE_PORT", " 5673 ", "SMTP_STARTTLS", "no", "FLEETWATCH_SCAN_ALLOW", "",
                "FLEETWATCH_CONSUMER_WORKERS", " ", "FLEETWATCH_API_CORS_ORIGINS", "https://a.example, https://b.example"));
        assertThat(s.get(Keys.BROKER_PORT)).isEqualTo(5673);
        assertThat(s.get(Keys.BROKER_HOST)).isEqualTo("localhost");
        assertThat(s.get(Keys.SMTP_STARTTLS)).isFalse();
        assertThat(s.get(Keys.SCAN_ALLOW)).as("a blank list is empty, not the default").isEmpty();
        assertThat(s.get(Keys.CONSUMER_WORKERS)).as("a blank number is unset").isEqualTo(1);
        assertThat(s.get(Keys.API_CORS_ORIGINS)).containsExactly("https://a.example", "https://b.example");
        assertThat(s.get(Keys.AGENT_SPOOL_MAX_AGE)).isEqualTo(Duration.ofDays(7));
        assertThat(s.find(Keys.CONSUMER_PREFETCH)).isEmpty();
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("QUEUE_PORT", "amqp")).get(Keys.BROKER_PORT))
                .hasMessage("QUEUE_PORT: 'amqp' is not a port number");
        assertThatThrownBy(() -> Settings.fromEnv(Map.of("QUEUE_TLS", "maybe")).get(Keys.BROKER_TLS))
                .hasMessage("QUEUE_TLS: 'maybe' is not true or false");
    }

    @Test
    void theEnvironmentWinsOverTheFileAndReadsAreRemembered() {
        Settings s = Settings.of(Map.of("QUEUE_HOST", "mq1", "QUEUE_PORT", "5671"), Map.of("QUEUE_HOST", "mq2",
                "HOME", "/home/x"));
        assertThat(s.get(Keys.BROKER_HOST)).isEqualTo("mq2");
        assertThat(s.variable("HOME")).isEqualTo("/home/x");
        assertThat(s.unread()).containsExactly(Keys.BROKER_PORT);
        assertThat(s.env().getOrDefault("QUEUE_PORT", "5672")).isEqualTo("5671");
        assertThat(s.unread()).isEmpty();
        assertThat(Settings.fromEnv(s.env())).isSameAs(s);
    }

    @Test
    void secretsAreNotShown() {
        Settings s = Settings.fromEnv(Map.of("QUEUE_PASSWORD", "hunter2", "QUEUE_USER", "fw"));
        assertThat(s.toString()).contains("QUEUE_USER=fw").contains("QUEUE_PASSWORD=***").doesNotContain("hunter2");
    }

    @Test
    void theTableNamesEachVariableAndPathOnce() {
        Set<String> envs = new HashSet<>();
        Set<String> paths = new HashSet<>();
        for (Key<?> k : Keys.ALL) {
            assertThat(envs.add(k.env())).as("variable %s twice", k.env()).isTrue();
            k.path().ifPresent(p -> assertThat(paths.add(p)).as("path %s twice", p).isTrue());
            assertThat(k.env()).matches("[A-Z][A-Z0-9_]*");
            assertThat(k.description()).isNotBlank().doesNotContain("\n");
        }
        assertThat(Keys.secretPaths()).contains("broker.password", "database.url", "api.token");
        assertThat(Keys.fromConfig(p -> switch (p) {
            case "scan.schedules" -> List.of("a every=1m", "b every=2m");
            case "broker.port" -> 5671;
            default -> null;
        })).containsExactly(Map.entry("QUEUE_PORT", "5671"), Map.entry("FLEETWATCH_SCAN_SCHEDULES", "a every=1m;b every=2m"));
    }
}
