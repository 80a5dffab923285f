package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostIdentityTest {
    @TempDir
    Path root;

    private void write(String rel, String content) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void machineIdWins() throws Exception {
        write("etc/machine-id", "0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a\n");
        write("sys/class/dmi/id/product_uuid", "4C4C4544-0042-4D10-8052-B4C04F4E3732\n");
        write("etc/hostname", "lab-pc-01\n");
        HostIdentity id = HostIdentity.detect(new HostPaths(root));
        assertThat(id).isEqualTo(new HostIdentity("0f3c2a9e8d7b4c6a9e8d7b4c6a0f3c2a", "lab-pc-01"));
    }

    @Test
    void templateImageZeroIdFallsBackToDmi() throws Exception {
        write("etc/machine-id", "00000000000000000000000000000000\n");
        write("sys/class/dmi/id/product_uuid", "4C4C4544-0042-4D10-8052-B4C04F4E3732\n");
        assertThat(HostIdentity.detect(new HostPaths(root)).hostId()).isEqualTo("4c4c4544-0042-4d10-8052-b4c04f4e3732");
    }

    @Test
    void noIdentityIsAClearError() {
        assertThatThrownBy(() -> HostIdentity.detect(new HostPaths(root)))
                .hasMessageContaining("no host identity").hasMessageContaining("systemd-machine-id-setup");
    }
}
