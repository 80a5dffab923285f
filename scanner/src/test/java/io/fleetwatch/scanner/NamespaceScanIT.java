package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.testing.NetnsLab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scanner inside a network-namespace lab (198.18.0.0/24 only, no route out): every live host found with its
 * MAC, no dead address reported, hosts that drop ICMP or all IP found by ARP, proxy-ARP answers not taken for hosts,
 * a sweep outside the allow-list refused with nothing sent.
 */
class NamespaceScanIT {
    /** MAC with a registered prefix (00:1B:44, SanDisk in the IEEE registry), for the vendor lookup. */
    private static final String SANDISK_MAC = "00:1b:44:00:00:0d";

    @BeforeAll
    static void root() {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
    }

    private static List<String> scan(NetnsLab lab, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.scannerNamespace(),
                ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"),
                ScanMain.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Map<String, DiscoveryMessage> hosts(NetnsLab.Exec r) throws Exception {
        Map<String, DiscoveryMessage> found = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            if (line.startsWith("{")) {
                DiscoveryMessage m = MessageCodec.decode(line.getBytes(), DiscoveryMessage.class);
                assertThat(found.put(m.ipAddress(), m)).as("one message per host").isNull();
            }
        }
        return found;
    }

    /**
     * The topology: plain hosts, one with TCP 22 open, one dropping ICMP (nftables), one answering only ARP (all
     * IPv4 input dropped), one doing proxy ARP for a /29 of dead addresses, gaps of dead addresses everywhere.
     */
    static NetnsLab topology() throws Exception {
        NetnsLab lab = NetnsLab.create(10, 11, 12, 13, 20, 21, 22, 50, 200);
        try {
            lab.setMac(13, SANDISK_MAC);
            lab.background(lab.hostNamespace(20), "socat", "TCP-LISTEN:22,fork,reuseaddr", "SYSTEM:echo SSH-2.0-lab");
            lab.dropIcmp(21);
            lab.dropAllInput(22);
            lab.proxyArp(50, "198.18.0.240/29");
            lab.hostNames(Map.of("198.18.0.10", "lab-pc-10.lab.test", "198.18.0.20", "ssh-box.lab.test"));
            String routes = lab.inNs(lab.scannerNamespace(), "ip", "route").output();
            assertThat(routes.strip()).as("no route out of the lab").isEqualTo(
                    "198.18.0.0/24 dev eth0 proto kernel scope link src 198.18.0.1");
            return lab;
        } catch (Exception | AssertionError e) {
            lab.close();
            throw e;
        }
    }

    @Test
    void everyLiveHostFoundWithItsMacAndNoDeadAddressNorProxyAnswer() throws Exception {
        try (NetnsLab lab = topology()) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--seed", "7", "198.18.0.0/24"), false);
            assertThat(r.code()).as(r.output()).isZero();
            Map<String, DiscoveryMessage> found = hosts(r);
            Map<String, String> macs = new HashMap<>();
            found.forEach((ip, m) -> macs.put(ip, m.macAddress()));
            assertThat(macs).as("exactly the live hosts, with their MACs\n" + r.output()).isEqualTo(lab.hosts());

            assertThat(r.output()).contains("scan: info: arp: raw ARP requests (AF_PACKET)");
            for (DiscoveryMessage m : found.values()) {
                assertThat(m.deptId()).isEqualTo(1);
                // ARP answers first; the proxy-ARP host shares its MAC with the dead /29 and needed ICMP to count
                assertThat(m.scanType()).as(m.ipAddress()).isEqualTo(m.ipAddress().equals("198.18.0.50") ? "icmp" : "arp");
            }
            assertThat(r.output()).contains("proxy ARP suspected: 02:F0:00:00:01:32 answered ARP for 9 addresses;"
                    + " 1 confirmed by ICMP/TCP, 8 left out (198.18.0.240, 198.18.0.241");
            assertThat(found.get("198.18.0.10").hostname()).isEqualTo("lab-pc-10.lab.test");
            assertThat(found.get("198.18.0.20").hostname()).isEqualTo("ssh-box.lab.test");
            assertThat(found.get("198.18.0.11").hostname()).as("no name known").isNull();
            assertThat(found.get("198.18.0.13").vendor()).isEqualTo("SanDisk Corporation");
            assertThat(found.get("198.18.0.10").vendor()).as("locally administered MAC").isNull();
            assertThat(r.output()).contains("scan: info: 253 address(es), "); // its own address is left out

            Files.writeString(Path.of("target/neighbour-table-after-scan.txt"),
                    lab.inNs(lab.scannerNamespace(), "cat", "/proc/net/arp").output());
        }
    }

    @Test
    void withoutArpIcmpFindsTheAnsweringHostsAndTcpTheOneThatDropsIcmp() throws Exception {
        try (NetnsLab lab = topology()) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--probes", "icmp,tcp", "-n",
                    "198.18.0.0/24"), false);
            assertThat(r.code()).as(r.output()).isZero();
            // root in a fresh namespace: ping_group_range is empty, so the raw socket is used
            assertThat(r.output()).contains("scan: info: icmp: echo over a raw socket");
            Map<String, String> how = new HashMap<>();
            hosts(r).forEach((ip, m) -> how.put(ip, m.scanType()));
            assertThat(how).as(r.output()).isEqualTo(Map.of(
                    "198.18.0.10", "icmp", "198.18.0.11", "icmp", "198.18.0.12", "icmp", "198.18.0.13", "icmp",
                    "198.18.0.20", "icmp", "198.18.0.21", "tcp", // drops ICMP, refuses TCP: alive
                    "198.18.0.50", "icmp", "198.18.0.200", "icmp"));
            // 198.18.0.22 answers nothing above ARP: only the ARP probe can see it (previous test)
        }
    }

    @Test
    void anUnprivilegedIcmpDatagramSocketIsUsedWhereTheKernelAllowsIt() throws Exception {
        try (NetnsLab lab = NetnsLab.create(10, 11, 12)) {
            lab.inNs(lab.scannerNamespace(), "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647");
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--probes", "icmp", "-n",
                    "198.18.0.0/28"), false);
            assertThat(r.code()).as(r.output()).isZero();
            assertThat(r.output()).contains("scan: info: icmp: echo over a datagram socket");
            assertThat(hosts(r)).containsOnlyKeys("198.18.0.10", "198.18.0.11", "198.18.0.12");
        }
    }

    @Test
    void theTcpProbeFindsHostsByTheirAnswerEvenARefusal() throws Exception {
        try (NetnsLab lab = NetnsLab.create(10, 11, 12, 40)) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--probes", "tcp", "-n",
                    "198.18.0.0/26"), false);
            assertThat(r.code()).as(r.output()).isZero();
            Map<String, String> how = new HashMap<>();
            for (DiscoveryMessage m : hosts(r).values()) {
                how.put(m.ipAddress(), m.scanType());
                assertThat(m.macAddress()).as("on-link: the MAC comes from the neighbour table")
                        .isEqualTo(lab.hosts().get(m.ipAddress()));
            }
            // no host listens on any probed port: each answered with a refusal, which is an answer
            assertThat(how).as(r.output()).containsOnlyKeys("198.18.0.10", "198.18.0.11", "198.18.0.12", "198.18.0.40");
            assertThat(how.values()).containsOnly("tcp");
        }
    }

    @Test
    void aSweepOutsideTheAllowListIsRefusedAndSendsNothing() throws Exception {
        try (NetnsLab lab = NetnsLab.create(10, 11)) {
            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/28", "198.18.0.0/24"), false);
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.output().strip()).isEqualTo("fleetwatch scan: scan refused, nothing was sent: 198.18.0.0/24 is"
                    + " not inside any network you have consent to scan (scanner.allow_networks: [198.18.0.0/28])");
            String table = lab.inNs(lab.scannerNamespace(), "cat", "/proc/net/arp").output();
            assertThat(table.strip().split("\n")).as("no neighbour was even asked for").hasSize(1);
        }
    }

    /**
     * A host whose ARP replies come one second late (a NIC waking from power saving, a busy switch): the default
     * profile still finds it, with its MAC, even in a range so small that its rounds are over long before the reply
     * (a /27: 30 requests take 60 ms); the aggressive profile (one round, 400 ms) does not, which shows the delay is real.
     */
    @Test
    void aHostAnsweringArpOneSecondLateIsFoundByTheDefaultProfile() throws Exception {
        try (NetnsLab lab = NetnsLab.create(10, 11, 30)) {
            String late = lab.hostNamespace(30);
            lab.inNs(late, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_ignore=8");
            lab.inNs(late, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.arp_ignore=8");
            Path ready = Files.createTempDirectory("fw-late-arp").resolve("ready");
            lab.background(late, ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), LateArpResponder.class.getName(), "198.18.0.30", "1000",
                    ready.toString());
            for (int i = 0; i < 100 && !Files.exists(ready); i++) {
                Thread.sleep(100);
            }
            assertThat(ready).as("the late ARP responder listens").exists();

            NetnsLab.Exec quick = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--seed", "7", "-n",
                    "--profile", "aggressive", "198.18.0.0/27"), false);
            assertThat(quick.code()).as(quick.output()).isZero();
            assertThat(hosts(quick)).as("one round of 400 ms misses a reply that takes a second")
                    .containsOnlyKeys("198.18.0.10", "198.18.0.11");

            NetnsLab.Exec r = NetnsLab.run(scan(lab, "--allow", "198.18.0.0/24", "--seed", "7", "-n",
                    "198.18.0.0/27"), false);
            assertThat(r.code()).as(r.output()).isZero();
            Map<String, DiscoveryMessage> found = hosts(r);
            assertThat(found).as(r.output()).containsOnlyKeys("198.18.0.10", "198.18.0.11", "198.18.0.30");
            assertThat(found.get("198.18.0.30").macAddress()).isEqualTo(lab.hosts().get("198.18.0.30"));
        }
    }
}
