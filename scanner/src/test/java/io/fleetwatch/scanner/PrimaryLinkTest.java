package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link a loopback discovery names this machine by: the agent's rule, the one holding the default gateway. */
class PrimaryLinkTest {
    private static final Link FIRST = link("veth0", 2, "198.18.0.2", "198.18.0.0/24");
    private static final Link UPLINK = link("eth0", 3, "198.18.1.2", "198.18.1.0/24");

    private static Link link(String name, int index, String ip, String net) {
        return new Link(name, index, new byte[] {2, (byte) 0xfc, 0, 0, 0, (byte) index}, Ipv4.parse(ip), Cidr.parse(net));
    }

    @Test
    void theLinkHoldingTheDefaultGatewayElseTheFirst(@TempDir Path dir) throws IOException {
        Path route = dir.resolve("route");
        // gateway 198.18.1.1 on eth0, little-endian hex as the kernel writes it
        Files.writeString(route, """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                veth0\t000012C6\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                eth0\t00000000\t010112C6\t0003\t0\t0\t0\t00000000\t0\t0\t0
                """);
        assertThat(Link.primary(List.of(FIRST, UPLINK), route)).contains(UPLINK);
        assertThat(Link.primary(List.of(FIRST, UPLINK), dir.resolve("absent"))).contains(FIRST);
        assertThat(Link.primary(List.of(), route)).isEmpty();
        assertThat(UPLINK.macText()).isEqualTo("02:FC:00:00:00:03");
    }
}
