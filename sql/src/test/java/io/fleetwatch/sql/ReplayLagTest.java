package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayLagTest {
    private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void anIdlePrimaryMeansNoLagHoweverOldTheLastCommit() {
        ReplayLag lag = new ReplayLag(Duration.ofSeconds(33));
        for (int s = 0; s <= 600; s++) {
            lag.primaryAt(T0.plusSeconds(s), 0x5700_0000L); // no WAL written for ten minutes
        }
        assertThat(lag.lag(T0.plusSeconds(600), 0x5700_0000L)).isZero();
    }

    @Test
    void lagIsTheAgeOfTheNewestPrimaryPositionReplayed() {
        ReplayLag lag = new ReplayLag(Duration.ofSeconds(33));
        for (int s = 0; s <= 10; s++) {
            lag.primaryAt(T0.plusSeconds(s), 1000L * s);
        }
        assertThat(lag.lag(T0.plusSeconds(10), 10_000)).isZero();
        assertThat(lag.lag(T0.plusSeconds(10), 7_500)).isEqualTo(Duration.ofSeconds(3)); // reached second 7, not 8
        assertThat(lag.lag(T0.plusSeconds(10), 0)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void behindEverythingRememberedIsUnknownButAtLeastTheSpan() {
        ReplayLag lag = new ReplayLag(Duration.ofSeconds(5));
        for (int s = 0; s <= 60; s++) {
            lag.primaryAt(T0.plusSeconds(s), 1000L * (s + 1));
        }
        assertThat(lag.lag(T0.plusSeconds(60), 500)).isNull();
        assertThat(lag.span(T0.plusSeconds(60))).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void walPositionsAsPostgresqlPrintsThem() {
        assertThat(ReplayLag.lsn("0/57000000")).isEqualTo(0x5700_0000L);
        assertThat(ReplayLag.lsn("16/B374D848")).isEqualTo(0x16_B374_D848L);
        assertThatThrownBy(() -> ReplayLag.lsn("nonsense")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void replicaSettingsAreOptionalAndNameTheirKeys() {
        assertThat(ReadReplicaSettings.fromEnv(Map.of("DATABASE_URL", "postgresql://fw@db/fleetwatch"))).isEmpty();
        ReadReplicaSettings r = ReadReplicaSettings.fromEnv(Map.of("DATABASE_READ_URL",
                "postgresql://fw@replica:5432/fleetwatch", "DATABASE_PASSWORD", "pw")).orElseThrow();
        assertThat(r.replica().jdbcUrl()).isEqualTo("jdbc:postgresql://replica:5432/fleetwatch");
        assertThat(r.replica().password()).isEqualTo("pw");
        assertThat(r.maxLag()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> ReadReplicaSettings.fromEnv(Map.of("DATABASE_READ_URL", "mysql://x")))
                .hasMessageStartingWith("DATABASE_READ_URL:");
        assertThatThrownBy(() -> ReadReplicaSettings.fromEnv(Map.of("DATABASE_READ_URL", "postgresql://x/db",
                "DATABASE_READ_MAX_LAG_SECONDS", "0"))).hasMessageStartingWith("DATABASE_READ_MAX_LAG_SECONDS:");
        assertThatThrownBy(() -> ReadReplicaSettings.fromEnv(Map.of("DATABASE_READ_URL", "postgresql://x/db",
                "DATABASE_READ_MAX_LAG_SECONDS", "soon"))).hasMessageStartingWith("DATABASE_READ_MAX_LAG_SECONDS:");
    }
}
