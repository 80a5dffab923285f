package io.fleetwatch.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BrokerSettingsTest {
    @Test
    void defaultsArePlainAmqp() {
        BrokerSettings b = BrokerSettings.fromEnv(Map.of());
        assertThat(b.describe()).isEqualTo("amqp://guest@localhost:5672/");
        assertThat(b.tls().enabled()).isFalse();
    }

    @Test
    void anAmqpsUriTurnsTlsOnWithPort5671AndTheCaFromTheEnvironment() {
        BrokerSettings b = BrokerSettings.fromEnv(Map.of("QUEUE_URI", "amqps://fw:s%40cret@mq.example.org/lab",
                "QUEUE_TLS_CA_FILE", "/etc/fleetwatch/tls/ca.pem"));
        assertThat(b.tls().enabled()).isTrue();
        assertThat(b.port()).isEqualTo(5671);
        assertThat(b.password()).isEqualTo("s@cret");
        assertThat(b.tls().caFile()).hasToString("/etc/fleetwatch/tls/ca.pem");
        assertThat(b.tls().verifyHostname()).isTrue();
        assertThat(b.describe()).isEqualTo("amqps://fw@mq.example.org:5671/lab");
        assertThat(b.toString()).doesNotContain("cret");
    }

    @Test
    void queueTlsWithHostAndPort() {
        BrokerSettings b = BrokerSettings.fromEnv(Map.of("QUEUE_HOST", "mq", "QUEUE_TLS", "true"));
        assertThat(b.port()).isEqualTo(5671);
        assertThat(BrokerSettings.fromEnv(Map.of("QUEUE_TLS", "true", "QUEUE_PORT", "15671")).port()).isEqualTo(15671);
    }

    @Test
    void badTlsSettingsNameTheKey() {
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_TLS", "maybe")))
                .hasMessage("QUEUE_TLS: 'maybe' is not true or false");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_TLS", "true", "QUEUE_TLS_CERT_FILE", "/c.pem")))
                .hasMessageStartingWith("QUEUE_TLS_CERT_FILE and QUEUE_TLS_KEY_FILE");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_URI", "http://mq/")))
                .hasMessageContaining("scheme must be amqp or amqps");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_TLS", "true", "QUEUE_TLS_CA_FILE", "/nonexistent/ca.pem"))
                .connectionFactory()).hasMessageStartingWith("QUEUE_TLS_CA_FILE: cannot read /nonexistent/ca.pem");
    }

    @Test
    void queueHostsListsTheClusterNodesAndWinsOverHostAndPort() {
        BrokerSettings b = BrokerSettings.fromEnv(Map.of("QUEUE_HOST", "old", "QUEUE_PORT", "5673",
                "QUEUE_HOSTS", "mq1:5682, mq2 ,[::1]:5684"));
        assertThat(b.addresses()).extracting(a -> a.getHost() + "/" + a.getPort())
                .containsExactly("mq1/5682", "mq2/5673", "::1/5684");
        assertThat(b.host()).isEqualTo("mq1");
        assertThat(b.port()).isEqualTo(5682);
        assertThat(b.describe()).isEqualTo("amqp://guest@mq1:5682,mq2:5673,::1:5684/");
        BrokerSettings viaUri = BrokerSettings.fromEnv(Map.of("QUEUE_URI", "amqp://fw:pw@mq/lab", "QUEUE_HOSTS", "a,b"));
        assertThat(viaUri.addresses()).extracting(a -> a.getHost() + "/" + a.getPort()).containsExactly("a/5672", "b/5672");
        assertThat(viaUri.withVirtualHost("x").addresses()).hasSize(2);
        assertThat(BrokerSettings.fromEnv(Map.of()).addresses()).hasSize(1);
    }

    @Test
    void badQueueHostsAndQueueTypeNameTheKey() {
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_HOSTS", "mq1:5672,,mq2")))
                .hasMessageStartingWith("QUEUE_HOSTS: empty host");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_HOSTS", "mq1:amqp")))
                .hasMessage("QUEUE_HOSTS: 'amqp' is not a port number");
        assertThatThrownBy(() -> BrokerSettings.fromEnv(Map.of("QUEUE_HOSTS", "mq1:70000")))
                .hasMessage("QUEUE_HOSTS: 70000 is not a TCP port");
        assertThatThrownBy(() -> Topology.fromEnv(Map.of("FLEETWATCH_QUEUE_TYPE", "stream")))
                .hasMessage("FLEETWATCH_QUEUE_TYPE: 'stream' is not a queue type (classic, quorum)");
        assertThat(Topology.fromEnv(Map.of()).type()).isEqualTo(Topology.QueueType.CLASSIC);
    }
}
