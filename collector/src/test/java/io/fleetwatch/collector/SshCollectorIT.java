package io.fleetwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestSshd;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The collector against real OpenSSH servers on loopback high ports, publishing to the real RabbitMQ. */
class SshCollectorIT {
    @TempDir
    Path tmp;

    private static final String USER = System.getProperty("user.name");

    private SshSettings settings(Path ed25519, Path rsa, Path knownHosts, boolean tofu) {
        // connect timeout 2 s (what a dead host costs); command timeout 8 s: on a loaded 2-core machine a healthy
        // host's command once took over 3 s
        return new SshSettings(USER, List.of(ed25519, rsa), null, knownHosts, tofu, Duration.ofSeconds(2),
                Duration.ofSeconds(8));
    }

    private static long accepted(TestSshd d) throws Exception {
        return Files.exists(d.log()) ? Files.readAllLines(d.log()).stream().filter(l -> l.contains("Accepted publickey"))
                .count() : 0;
    }

    @Test
    void collectsFromSeveralHostsRefusesAChangedKeyAndADeadHostDelaysNobody() throws Exception {
        Path ed = TestSshd.keygen(tmp.resolve("client"), "id_ed25519", "ed25519");
        Path rsa = TestSshd.keygen(tmp.resolve("client"), "id_rsa", "rsa");
        try (TestBroker tb = TestBroker.create();
             TestSshd a = TestSshd.start(tmp.resolve("a"), List.of(Path.of(ed + ".pub")));
             TestSshd b = TestSshd.start(tmp.resolve("b"), List.of(Path.of(rsa + ".pub")));
             TestSshd c = TestSshd.start(tmp.resolve("c"), List.of(Path.of(ed + ".pub")));
             TestSshd impostor = TestSshd.start(tmp.resolve("d"), List.of(Path.of(ed + ".pub")));
             TestSshd other = TestSshd.start(tmp.resolve("other"), List.of());
             ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // a port nobody listens on: a stopped server
            int stopped = io.fleetwatch.testing.Ports.free();
            // known_hosts: the impostor's port is recorded with another server's key
            Path known = tmp.resolve("known_hosts");
            Files.writeString(known, String.join("\n", a.knownHostsLine(), b.knownHostsLine(), c.knownHostsLine(),
                    other.knownHostsLine().replace(":" + other.port() + " ", ":" + impostor.port() + " "),
                    "[127.0.0.1]:" + blackHole.getLocalPort() + " " + a.knownHostsLine().split(" ", 2)[1], ""));
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (Connection conn = bs.connectionFactory().newConnection(); Channel ch = conn.createChannel()) {
                Topology.standard().declare(conn);
                HostTarget ta = new HostTarget("127.0.0.1", a.port(), USER, null);
                HostTarget tbb = new HostTarget("127.0.0.1", b.port(), USER, null);
                HostTarget tc = new HostTarget("127.0.0.1", c.port(), USER, null);
                HostTarget td = new HostTarget("127.0.0.1", impostor.port(), USER, null);
                HostTarget te = new HostTarget("127.0.0.1", stopped, USER, 77L);
                HostTarget tf = new HostTarget("127.0.0.1", blackHole.getLocalPort(), USER, null);
                try (CollectorService svc = new CollectorService(List.of(ta, tbb, tc, td, te, tf),
                        settings(ed, rsa, known, false), bs, new CollectorService.Settings(16, 50), Clock.systemUTC())) {
                    CollectorService.Round first = svc.round();
                    assertThat(first.samples()).as("first round only primes the rates").isEmpty();
                    assertThat(first.failures()).containsOnlyKeys(td, te, tf);
                    assertThat(first.failures().get(td).kind()).isEqualTo(HostFailure.Kind.HOST_KEY_CHANGED);
                    assertThat(first.failures().get(td).getMessage()).contains("has CHANGED").contains("ssh-keygen -R");
                    assertThat(first.failures().get(te).kind()).isEqualTo(HostFailure.Kind.UNREACHABLE);
                    assertThat(first.failures().get(tf).kind()).isEqualTo(HostFailure.Kind.TIMEOUT);
                    // the first round also reads each reachable host's inventory (this machine, over SSH)
                    long memTotalKib = Files.readAllLines(Path.of("/proc/meminfo")).stream()
                            .filter(l -> l.startsWith("MemTotal:")).map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                            .findFirst().orElseThrow();
                    assertThat(first.inventories()).hasSize(3).allSatisfy(inv -> {
                        assertThat(inv.memoryBytes()).isEqualTo(memTotalKib * 1024);
                        assertThat(inv.os().kernel()).isEqualTo(System.getProperty("os.version"));
                        assertThat(inv.filesystems()).extracting(f -> f.mount()).contains("/");
                        assertThat(inv.hostId()).hasSizeGreaterThanOrEqualTo(8);
                    });

                    Thread.sleep(500);
                    CollectorService.Round second = svc.round();
                    assertThat(second.samples()).hasSize(3);
                    assertThat(second.inventories()).as("not due again, and unchanged").isEmpty();
                    // the black hole costs its own connect timeout (2 s), not the others' time
                    assertThat(second.took()).isLessThan(Duration.ofMillis(4_500));
                    for (MetricsMessage m : second.samples()) {
                        assertThat(m.metrics().uptimeSeconds()).isPositive();
                        assertThat(m.metrics().cpuPercent()).isBetween(0.0, 100.0);
                        assertThat(m.metrics().ramPercent()).isBetween(0.0, 100.0);
                        assertThat(m.metrics().diskPercent()).isBetween(0.0, 100.0);
                        assertThat(m.metrics().loggedInUsers()).isNotNegative();
                        assertThat(m.hostId()).hasSizeGreaterThanOrEqualTo(8);
                    }
                    // the metrics beyond the first eight, from the same command's output, for each sampled host
                    assertThat(second.extra()).containsOnlyKeys(ta, tbb, tc);
                    for (io.fleetwatch.sampling.ExtraMetrics e : second.extra().values()) {
                        assertThat(e.loadAvg1()).isNotNegative();
                        assertThat(e.loadAvg15()).isNotNegative();
                        assertThat(e.diskReadMbps()).isNotNegative();
                        assertThat(e.diskWriteMbps()).isNotNegative();
                        assertThat(e.processCount()).isGreaterThan(1);
                        assertThat(e.filesystems()).extracting(io.fleetwatch.sampling.FilesystemUsage::mount)
                                .contains("/");
                        assertThat(e.filesystems()).allSatisfy(f -> assertThat(f.sizeBytes()).isPositive());
                    }
                    // one SSH login per host across both rounds: sessions are reused
                    assertThat(accepted(a)).isEqualTo(1);
                    assertThat(accepted(b)).isEqualTo(1);
                }
                List<MetricsMessage> onQueue = new ArrayList<>();
                GetResponse r;
                while ((r = ch.basicGet("metrics_queue", true)) != null) {
                    onQueue.add(MessageCodec.decode(r.getBody(), MetricsMessage.class));
                }
                assertThat(onQueue).hasSize(3);
                for (MetricsMessage m : onQueue) {
                    // the metrics beyond the first eight travel in the message (schema_version 2)
                    assertThat(m.metrics().get("load_avg_1")).isNotNull();
                    assertThat(m.metrics().get("disk_write_mbps")).isNotNull();
                    assertThat(m.metrics().get("process_count").intValue()).isGreaterThan(1);
                    assertThat(m.metrics().filesystems()).extracting(MetricsMessage.Filesystem::mount).contains("/");
                    assertThat(m.metrics().get("filesystem_usage_max")).isNotNull();
                }
                for (int i = 0; i < 3; i++) {
                    GetResponse inv = ch.basicGet("inventory_queue", true);
                    assertThat(inv).as("inventory %d of 3", i + 1).isNotNull();
                    MessageCodec.decode(inv.getBody(), io.fleetwatch.messages.InventoryMessage.class);
                }
                GetResponse alert = ch.basicGet("alert_queue", true);
                assertThat(alert).as("the database host that is down gets a host_unreachable alert").isNotNull();
                assertThat(new String(alert.getBody())).contains("\"alert_type\":\"host_unreachable\"")
                        .contains("\"system_id\":77").contains("\"state\":\"firing\"");
            }
        }
    }

    @Test
    void trustOnFirstUseRecordsANewHostButStillRefusesAChangedKey() throws Exception {
        Path ed = TestSshd.keygen(tmp.resolve("client"), "id_ed25519", "ed25519");
        Path rsa = TestSshd.keygen(tmp.resolve("client"), "id_rsa", "rsa");
        try (TestBroker tb = TestBroker.create(); TestSshd g = TestSshd.start(tmp.resolve("g"), List.of(Path.of(ed + ".pub")))) {
            Path known = tmp.resolve("known_hosts");
            Files.writeString(known, "");
            BrokerSettings bs = BrokerSettings.fromEnv(tb.env());
            try (Connection conn = bs.connectionFactory().newConnection()) {
                Topology.standard().declare(conn); // the first round that reaches the host publishes its inventory
            }
            HostTarget tg = new HostTarget("127.0.0.1", g.port(), USER, null);
            try (CollectorService strict = new CollectorService(List.of(tg), settings(ed, rsa, known, false), bs,
                    new CollectorService.Settings(4, 50), Clock.systemUTC())) {
                HostFailure f = strict.round().failures().get(tg);
                assertThat(f.kind()).isEqualTo(HostFailure.Kind.UNKNOWN_HOST_KEY);
                assertThat(f.getMessage()).contains("is not in").contains("ssh-keyscan").contains("FLEETWATCH_SSH_TOFU");
            }
            try (CollectorService tofu = new CollectorService(List.of(tg), settings(ed, rsa, known, true), bs,
                    new CollectorService.Settings(4, 50), Clock.systemUTC())) {
                assertThat(tofu.round().failures()).isEmpty();
            }
            assertThat(Files.readString(known)).contains("[127.0.0.1]:" + g.port());
            g.rekey();
            try (CollectorService tofu = new CollectorService(List.of(tg), settings(ed, rsa, known, true), bs,
                    new CollectorService.Settings(4, 50), Clock.systemUTC())) {
                assertThat(tofu.round().failures().get(tg).kind()).isEqualTo(HostFailure.Kind.HOST_KEY_CHANGED);
            }
        }
    }
}
