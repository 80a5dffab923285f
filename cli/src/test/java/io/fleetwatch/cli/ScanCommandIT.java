package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.DiscoveryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** `fleetwatch scan` on loopback (the default allow-list), with the real RabbitMQ and PostgreSQL. */
class ScanCommandIT {

    record Result(int code, String out, String err) {}

    static Result run(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(env);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return new Result(cl.execute(args), out.toString(), err.toString());
    }

    @Test
    void aScanIsAJobAndItsHostsArePublished() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(run(env, "queue-setup").code()).isZero();
            assertThat(run(env, "db", "migrate").code()).isZero();

            Result r = run(env, "scan", "127.0.0.1", "--dept", "3", "--probes", "tcp");
            assertThat(r.code()).as(r.err()).isZero();
            // 1 to 5 connects: the sweep stops probing a host once one port has answered
            assertThat(r.out()).matches("(?s)scan \\d+: 1 address\\(es\\), 1 live, [1-5] probe\\(s\\) sent, \\d+ ms\\s*");
            long scanId = Long.parseLong(r.out().split("[ :]")[1]);

            try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
                 Channel ch = c.createChannel()) {
                GetResponse msg = ch.basicGet("discovery_queue", true);
                assertThat(msg).isNotNull();
                DiscoveryMessage m = MessageCodec.decode(msg.getBody(), DiscoveryMessage.class);
                assertThat(m.scanId()).isEqualTo(scanId);
                assertThat(m.deptId()).isEqualTo(3);
                assertThat(m.ipAddress()).isEqualTo("127.0.0.1");
                assertThat(m.scanType()).isEqualTo("tcp");
                // the machine at 127.0.0.1 is this one: named as an agent here names itself (the contract's
                // placeholders dropped alike), so the scan and the agent make one system
                DiscoveryMessage agentsView = DiscoveryMessage.of(null, 1, "127.0.0.1",
                        io.fleetwatch.agent.HostIdentity.detect(io.fleetwatch.agent.HostPaths.system()).hostname(),
                        io.fleetwatch.agent.NetworkIdentity.detect().macAddress(), m.discoveredAt(), "tcp");
                assertThat(m.macAddress()).isEqualTo(agentsView.macAddress());
                assertThat(m.hostname()).isEqualTo(agentsView.hostname());
                assertThat(ch.basicGet("discovery_queue", true)).isNull();
            }
            try (var conn = db.connect(); Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("SELECT status, hosts_found, targets, dept_id FROM scans WHERE id = " + scanId)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("succeeded");
                assertThat(rs.getInt(2)).isEqualTo(1);
                assertThat(rs.getString(3)).isEqualTo("127.0.0.1/32");
                assertThat(rs.getInt(4)).isEqualTo(3);
            }
            assertThat(run(env, "scan", "list").out()).contains(scanId + " ").contains("succeeded");
            assertThat(run(env, "scan", "status", Long.toString(scanId)).out()).contains("status:       succeeded")
                    .contains("hosts_found:  1");
        }
    }

    /** The contract's form, for real on loopback: the last bare number is the department; QUEUE_ENABLED=true is fine. */
    @Test
    void theContractsScanFormIsAnAlias() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            env.put("QUEUE_ENABLED", "true");
            assertThat(run(env, "queue-setup").code()).isZero();
            assertThat(run(env, "db", "migrate").code()).isZero();
            Result r = run(env, "scan", "127.0.0.1", "4", "--queue-enabled", "--probes", "tcp");
            assertThat(r.code()).as(r.err()).isZero();
            try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection();
                 Channel ch = c.createChannel()) {
                GetResponse msg = ch.basicGet("discovery_queue", true);
                assertThat(msg).isNotNull();
                assertThat(MessageCodec.decode(msg.getBody(), DiscoveryMessage.class).deptId()).isEqualTo(4);
            }
            env.put("QUEUE_ENABLED", "false");
            Result refused = run(env, "scan", "127.0.0.1", "4", "--queue-enabled");
            assertThat(refused.code()).isEqualTo(2);
            assertThat(refused.err()).startsWith("fleetwatch: QUEUE_ENABLED=false").doesNotContain("\n ");
            env.remove("QUEUE_ENABLED");
            assertThat(run(env, "scan", "list").out().strip().split("\n")).as("the refused run left no job").hasSize(2);
        }
    }

    /** Jobs queued from the CLI: for later, repeating, by department name; counted; cancelled. */
    @Test
    void submitStatsAndCancel() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.jdbcUrl());
            assertThat(run(env, "db", "migrate").code()).isZero();
            try (var conn = db.connect(); Statement st = conn.createStatement()) {
                st.execute("INSERT INTO departments (id, name) VALUES (3, 'lab')");
            }
            Result s = run(env, "scan", "submit", "127.0.0.1", "--profile", "normal", "--department", "lab", "--at",
                    "+1h", "--every", "1h");
            assertThat(s.code()).as(s.err()).isZero();
            assertThat(s.out()).matches("(?s)scan \\d+: pending, not before \\S+Z, every 3600 s\\s*");
            String id = s.out().split("[ :]")[1];
            assertThat(run(env, "scan", "status", id).out()).contains("status:       pending").contains("dept:         3")
                    .contains("profile:      normal").contains("every:        3600s");
            assertThat(run(env, "scan", "stats").out()).contains("queued:    1").contains("cancelled: 0");
            assertThat(run(env, "scan", "cancel", id).out()).isEqualTo("scan " + id + ": cancelled" + System.lineSeparator());
            Result again = run(env, "scan", "cancel", id);
            assertThat(again.code()).isEqualTo(1);
            assertThat(again.err()).isEqualTo("fleetwatch: scan " + id + " has already ended" + System.lineSeparator());
            assertThat(run(env, "scan", "stats").out()).contains("queued:    0").contains("cancelled: 1");
            Result bad = run(env, "scan", "submit", "127.0.0.1", "--department", "nosuch");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).isEqualTo("fleetwatch: department: none is named 'nosuch'" + System.lineSeparator());
            assertThat(run(env, "scan", "submit", "127.0.0.1", "--at", "soon").err())
                    .startsWith("fleetwatch: at: 'soon' is no time");
        }
    }

    @Test
    void aRangeOutsideTheAllowListIsRefusedWithoutAJob() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>();
            env.put("DATABASE_URL", db.jdbcUrl());
            Result r = run(env, "scan", "198.51.100.0/24");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("fleetwatch: scan refused, nothing was sent: 198.51.100.0/24 is not inside any"
                    + " network you have consent to scan (scanner.allow_networks: [127.0.0.0/8])" + System.lineSeparator());
            Result bad = run(Map.of("FLEETWATCH_SCAN_ALLOW", "198.18.0.7/24"), "scan", "198.18.0.0/24");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).startsWith("fleetwatch: FLEETWATCH_SCAN_ALLOW: 198.18.0.7/24 has host bits set");
        }
    }
}
