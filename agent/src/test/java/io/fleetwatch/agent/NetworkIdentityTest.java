package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkIdentityTest {
    @TempDir
    Path state;

    @Test
    void subnetMatch() {
        assertThat(NetworkIdentity.sameSubnet("198.18.0.5", "198.18.0.1", (short) 24)).isTrue();
        assertThat(NetworkIdentity.sameSubnet("198.18.1.5", "198.18.0.1", (short) 24)).isFalse();
        assertThat(NetworkIdentity.sameSubnet("198.18.1.5", "198.18.0.1", (short) 16)).isTrue();
    }

    @Test
    void thisHostHasAnIdentity() {
        NetworkIdentity n = NetworkIdentity.detect();
        assertThat(n.macs()).isNotEmpty();
        assertThat(n.macAddress()).matches("([0-9A-F]{2}:){5}[0-9A-F]{2}");
        assertThat(n.ipAddress()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }

    @Test
    void sameMachineIdWithOtherMacsIsASuspectedClone() {
        assertThat(CloneCheck.suspected(state, "machine-a", Set.of("AA:00:00:00:00:01"))).isFalse();
        assertThat(CloneCheck.suspected(state, "machine-a", Set.of("AA:00:00:00:00:01", "AA:00:00:00:00:02")))
                .as("a NIC added").isFalse();
        assertThat(CloneCheck.suspected(state, "machine-a", Set.of("BB:00:00:00:00:09"))).as("all MACs new").isTrue();
        assertThat(CloneCheck.suspected(state, "machine-b", Set.of("BB:00:00:00:00:09")))
                .as("new machine-id (systemd-machine-id-setup ran)").isFalse();
    }
}
