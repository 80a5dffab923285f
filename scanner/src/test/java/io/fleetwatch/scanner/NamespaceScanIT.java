package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.testing.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The scanner inside a network-namespace lab (198.18.0.0/24 only, no route out): every live host found with its
 * MAC, no dead address reported, a sweep outside the allow-list refused with nothing sent.
 */
class NamespaceScanIT {

    private static List<String> scan(NetnsLab lab, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.scannerNamespace(),
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                ScanMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void everyLiveHostFoundWithItsMacAndNoDeadAddress() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (NetnsLab lab = NetnsLab.create(10, 11, 12, 13, 20, 21, 30, 200)) {
            // one host ignores ICMP echo: the ARP probe must still find it
            lab.inNs(lab.hostNamespace(30), "sysctl", "-q", "-w", "net.ipv4.icmp_echo_ignore_all=1");
            String routes = lab.inNs(lab.scannerNamespace(), "ip", "route").output();
            assertThat(routes.strip()).as("no route out of the lab").isEqualTo(
                    "198.18.0.0/24 dev eth0 proto kernel scope link src 198.18.0.1");

            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--seed", "7", "198.18.0.0/24"), false);
            assertThat(r.code()).as(r.output()).isZero();
            Map<String, String> found = new HashMap<>();
            for (String line : r.output().split("\n")) {
                if (line.startsWith("{")) {
                    DiscoveryMessage m = MessageCodec.decode(line.getBytes(), DiscoveryMessage.class);
                    assertThat(m.scanType()).as("on-link hosts answer ARP before anything else").isEqualTo("arp_cache");
                    assertThat(m.deptId()).isEqualTo(1);
                    found.put(m.ipAddress(), m.macAddress());
                }
            }
            assertThat(found).as("exactly the live hosts, with their MACs").isEqualTo(lab.hosts());
            assertThat(r.output()).contains("scan: 253 address(es) probed, 8 live"); // its own address is left out

            Path out = Path.of("target/neighbour-table-after-scan.txt");
            Files.writeString(out, lab.inNs(lab.scannerNamespace(), "cat", "/proc/net/arp").output());
        }
    }

    @Test
    void theTcpProbeFindsHostsByTheirAnswerEvenARefusal() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (NetnsLab lab = NetnsLab.create(10, 11, 12, 40)) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--probes", "tcp", "198.18.0.0/26"),
                    false);
            assertThat(r.code()).as(r.output()).isZero();
            Map<String, String> how = new HashMap<>();
            for (String line : r.output().split("\n")) {
                if (line.startsWith("{")) {
                    DiscoveryMessage m = MessageCodec.decode(line.getBytes(), DiscoveryMessage.class);
                    how.put(m.ipAddress(), m.scanType());
                    assertThat(m.macAddress()).as("on-link: the MAC comes from the neighbour table")
                            .isEqualTo(lab.hosts().get(m.ipAddress()));
                }
            }
            // no host listens on any probed port: each answered with a refusal, which is an answer
            assertThat(how).as(r.output()).containsOnlyKeys("198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.40");
            assertThat(how.values()).containsOnly("tcp");
        }
    }

    @Test
    void aSweepOutsideTheAllowListIsRefusedAndSendsNothing() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (NetnsLab lab = NetnsLab.create(10, 11)) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/28", "198.18.0.0/24"), false);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.output().strip()).isEqualTo("fleetwatch scan: scan refused, nothing was sent: 198.18.0.0/24 is"
                    + " not inside any network you have consent to scan (scanner.allow_networks: [198.18.0.0/28])");
            String table = lab.inNs(lab.scannerNamespace(), "cat", "/proc/net/arp").output();
            assertThat(table.strip().split("\n")).as("no neighbour was even asked for").hasSize(1);
        }
    }
}
