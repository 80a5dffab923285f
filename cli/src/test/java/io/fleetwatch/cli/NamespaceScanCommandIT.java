package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.testing.NetnsLab;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * `fleetwatch scan 198.18.0.0/24 --dept 1` run inside the scanner namespace of a lab (no route out), publishing to the
 * real RabbitMQ and recording the job in the real PostgreSQL: the namespace reaches those two only through relays
 * on its own loopback ({@link NetnsLab#relayLoopbackPort}).
 */
class NamespaceScanCommandIT {

    @Test
    void theScanCommandPublishesEveryLiveHostOfTheLabToTheRealBroker() throws Exception {
        Assumptions.assumeTrue(NetnsLab.available(), "needs root for network namespaces (CI runs as root)");
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create();
             NetnsLab lab = NetnsLab.create(10, 11, 21, 22, 77)) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("FLEETWATCH_SCAN_ALLOW", "198.18.0.0/24");
            assertThat(ScanCommandIT.run(env, "queue-setup").code()).isZero();
            assertThat(ScanCommandIT.run(env, "db", "migrate").code()).isZero();
            lab.nft(lab.hostNamespace(21), "table ip lab {\n chain in {\n  type filter hook input priority 0;\n"
                    + "  ip protocol icmp drop\n }\n}\n");
            lab.nft(lab.hostNamespace(22), "table ip lab {\n chain in {\n  type filter hook input priority 0;"
                    + " policy drop;\n }\n}\n");
            lab.relayLoopbackPort(Integer.parseInt(env.get("QUEUE_PORT")));
            lab.relayLoopbackPort(5432);

            List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.scannerNamespace(), "env"));
            env.forEach((k, v) -> cmd.add(k + "=" + v));
            cmd.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), Main.class.getName(),
                    "scan", "198.18.0.0/24", "--dept", "1"));
            NetnsLab.Exec r = NetnsLab.run(cmd, false);
            assertThat(r.code()).as(r.output()).isZero();
            assertThat(r.output()).containsPattern("scan \\d+: 253 address\\(es\\), 5 live, \\d+ probe\\(s\\) sent");
            long scanId = Long.parseLong(r.output().replaceAll("(?s).*scan (\\d+): 253.*", "$1"));

            Map<String, DiscoveryMessage> published = new HashMap<>();
            try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
                 Channel ch = c.createChannel()) {
                for (GetResponse g; (g = ch.basicGet("discovery_queue", true)) != null; ) {
                    assertThat(g.getEnvelope().getRoutingKey()).isEqualTo("discovery.new");
                    DiscoveryMessage m = MessageCodec.decode(g.getBody(), DiscoveryMessage.class);
                    published.put(m.ipAddress(), m);
                }
            }
            Map<String, String> macs = new HashMap<>();
            published.forEach((ip, m) -> macs.put(ip, m.macAddress()));
            assertThat(macs).as("every live host, its MAC, nothing else; the ICMP-dropping and the ARP-only host too")
                    .isEqualTo(lab.hosts());
            assertThat(published.values()).allSatisfy(m -> {
                assertThat(m.scanId()).isEqualTo(scanId);
                assertThat(m.deptId()).isEqualTo(1);
                assertThat(m.scanType()).isEqualTo("arp");
            });

            try (var conn = db.connect(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT status, hosts_found, answered, probes_sent FROM scans WHERE id = "
                         + scanId)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("succeeded");
                assertThat(rs.getInt(2)).isEqualTo(5);
                assertThat(rs.getInt(3)).isEqualTo(5);
                assertThat(rs.getInt(4)).as("one ARP request per address, one retry for the 248 silent ones")
                        .isEqualTo(253 + 248);
            }
            ScanCommandIT.Result logs = ScanCommandIT.run(env, "scan", "logs", Long.toString(scanId));
            assertThat(logs.code()).isZero();
            assertThat(logs.out()).contains("info  arp: raw ARP requests (AF_PACKET)")
                    .contains("248 on-link address(es) did not answer ARP and were not probed further");
        }
    }
}
