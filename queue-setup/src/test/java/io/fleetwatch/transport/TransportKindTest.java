package io.fleetwatch.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.settings.Settings;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransportKindTest {
    @Test
    void rabbitmqByDefault() {
        assertThat(TransportKind.from(Settings.fromEnv(Map.of()))).isEqualTo(TransportKind.RABBITMQ);
    }

    @Test
    void postgresWhenAsked() {
        assertThat(TransportKind.from(Settings.fromEnv(Map.of("QUEUE_TYPE", "postgres")))).isEqualTo(TransportKind.POSTGRES);
    }

    @Test
    void anUnknownTransportFailsNamingTheKey() {
        assertThatThrownBy(() -> TransportKind.from(Settings.fromEnv(Map.of("QUEUE_TYPE", "kafka"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("QUEUE_TYPE")
                .hasMessageContaining("broker.type")
                .hasMessageContaining("'kafka'")
                .hasMessageContaining("rabbitmq, postgres, redis");
    }

    @Test
    void aBadRedisUrlFailsNamingTheKeyNotTheValue() {
        assertThatThrownBy(() -> Transports.checkEnv(Map.of("QUEUE_TYPE", "redis", "REDIS_URL", "http://u:s3cret@host")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REDIS_URL")
                .hasMessageContaining("broker.redis-url")
                .hasMessageNotContaining("s3cret");
        assertThat(Transports.checkEnv(Map.of("QUEUE_TYPE", "redis"))).isEqualTo(TransportKind.REDIS);
    }
}
