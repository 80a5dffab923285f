package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {
    @Test
    void durationsInBothSpellings() {
        assertThat(AgentSettings.duration("k", "10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(AgentSettings.duration("k", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(AgentSettings.duration("k", "PT1M")).isEqualTo(Duration.ofMinutes(1));
        // the one format of every setting also takes the SSH collector's bare number of seconds
        assertThat(AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_INTERVAL", "30", "FLEETWATCH_AGENT_STATE_DIR", "/tmp/x"))
                .interval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_INTERVAL", "often")))
                .hasMessage("FLEETWATCH_AGENT_INTERVAL: 'often' is not a duration (e.g. 10s, 500ms, 1m)");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_INTERVAL", "5ms")))
                .hasMessageStartingWith("FLEETWATCH_AGENT_INTERVAL: must be between 100ms and 1h");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_MOUNT", "data")))
                .hasMessageStartingWith("FLEETWATCH_AGENT_MOUNT:");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_JITTER", "maybe")))
                .hasMessage("FLEETWATCH_AGENT_JITTER: 'maybe' is not true or false");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_SPOOL_MAX_AGE", "30s")))
                .hasMessageStartingWith("FLEETWATCH_AGENT_SPOOL_MAX_AGE: must be at least 1m");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_SPOOL_MAX_MB", "0.01")))
                .hasMessage("FLEETWATCH_AGENT_SPOOL_MAX_MB: must be at least 0.0625 (64 KiB) and at most 1000000, not 0.01");
        assertThatThrownBy(() -> AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_SPOOL_MAX_MB", "lots")))
                .hasMessage("FLEETWATCH_AGENT_SPOOL_MAX_MB: 'lots' is not a number");
        assertThat(AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_SPOOL_MAX_MB", "0.5")).spoolMaxBytes())
                .isEqualTo(512 * 1024);
    }

    @Test
    void defaults() {
        AgentSettings s = AgentSettings.fromEnv(Map.of("FLEETWATCH_AGENT_STATE_DIR", "/tmp/x"));
        assertThat(s.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.jitter()).isTrue();
        assertThat(s.spoolMaxBytes()).isEqualTo(64L << 20);
        assertThat(s.spoolMaxAge()).isEqualTo(Duration.ofDays(7));
    }
}
