package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The launcher's contract with operators: exit codes and one clear line. */
class CliIT {

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
    void queueSetupTwiceThenAConflict() throws Exception {
        try (TestBroker tb = TestBroker.create()) {
            Result first = run(tb.env(), "queue-setup");
            assertThat(first.code()).isZero();
            assertThat(first.out()).startsWith("queue-setup: 10 created, 0 unchanged");
            Result second = run(tb.env(), "queue-setup");
            assertThat(second.code()).isZero();
            assertThat(second.out()).isEqualTo("queue-setup: 0 created, 10 unchanged" + System.lineSeparator());

            Map<String, String> renamed = new HashMap<>(tb.env());
            renamed.put("ALERT_QUEUE", "alerts_v2");
            try (Connection c = BrokerSettings.fromEnv(tb.env()).connectionFactory().newConnection();
                 Channel ch = c.createChannel()) {
                ch.queueDeclare("alerts_v2", true, false, false, Map.of());
            }
            Result conflict = run(renamed, "queue-setup");
            assertThat(conflict.code()).isEqualTo(3);
            assertThat(conflict.err()).contains("queue 'alerts_v2'").contains("x-dead-letter-exchange is none on the broker");
            assertThat(conflict.err().lines()).hasSize(1);

            // the same queues as quorum queues: the type differs, so it is a conflict too, and nothing changes
            Map<String, String> quorum = new HashMap<>(tb.env());
            quorum.put("FLEETWATCH_QUEUE_TYPE", "quorum");
            Result other = run(quorum, "queue-setup");
            assertThat(other.code()).isEqualTo(3);
            assertThat(other.err()).contains("x-queue-type");
            Result printed = run(quorum, "queue-setup", "--print-definitions");
            assertThat(printed.code()).isZero();
            assertThat(printed.out()).contains("\"x-queue-type\" : \"quorum\"").doesNotContain("x-max-priority");
        }
    }

    @Test
    void inspectShowsEveryFieldAndCompletionCoversEveryCommand() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
            assertThat(run(env, "db", "migrate").code()).isZero();
            try (var c = db.connect(); var st = c.createStatement()) {
                st.execute("INSERT INTO systems (id, hostname, ip_address) VALUES (5, 'lab-pc-05', '198.18.0.5')");
                st.execute("INSERT INTO alerts (id, system_id, alert_type, severity, occurred_at) VALUES (9, 5, 'cpu_high',"
                        + " 'critical', now())");
                st.execute("INSERT INTO scans (id, targets, status, requested_by) VALUES (12, '198.18.0.0/28 198.18.0.32/30',"
                        + " 'pending', 'api:ops')");
            }
            Result scan = run(env, "inspect", "scan", "12");
            assertThat(scan.code()).as(scan.err()).isZero();
            assertThat(scan.out()).containsPattern("targets\\s+198.18.0.0/28 198.18.0.32/30\n")
                    .containsPattern("status\\s+pending").containsPattern("started_at\\s+-")
                    .containsPattern("created_at\\s+\\d{4}-");
            assertThat(run(env, "scan", "status", "12").out()).contains("requested_by: api:ops")
                    .contains("started_at:   -");
            assertThat(run(env, "scan", "list").out())
                    .containsPattern("12\\s+pending\\s+null\\s+-\\s+-\\s+198.18.0.0/28 198.18.0.32/30");
            Result noLog = run(env, "scan", "logs", "13");
            assertThat(noLog.code()).isEqualTo(1);
            assertThat(noLog.err()).isEqualTo("fleetwatch: scan 13 not found\n");
            Result sys = run(env, "inspect", "system", "5");
            assertThat(sys.code()).as(sys.err()).isZero();
            assertThat(sys.out()).containsPattern("hostname\\s+lab-pc-05").containsPattern("open_alerts\\s+1")
                    .containsPattern("last_sample\\s+-");
            assertThat(run(env, "inspect", "alert", "9").out()).containsPattern("severity\\s+critical");
            Result missing = run(env, "inspect", "scan", "77");
            assertThat(missing.code()).isEqualTo(1);
            assertThat(missing.err()).isEqualTo("fleetwatch: no scan with id 77\n");
            assertThat(run(env, "inspect", "planet", "1").err()).startsWith("fleetwatch: KIND: must be system, scan or alert");
        }
        Result completion = run(Map.of(), "completion");
        assertThat(completion.code()).isZero();
        for (String cmd : new String[] {"queue-setup", "scan", "serve", "inspect", "backup", "restore", "admin"}) {
            assertThat(completion.out()).as(cmd).contains(cmd);
        }
    }

    @Test
    void adminTokensAreMadeListedAndRevoked() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
            assertThat(run(env, "db", "migrate").code()).isZero();
            Result made = run(env, "admin", "create-token", "--name", "grafana", "--role", "viewer");
            assertThat(made.code()).as(made.err()).isZero();
            assertThat(made.out()).isNotBlank();
            assertThat(made.err()).contains("token 'grafana' (viewer) created; it is shown only this once");
            Result again = run(env, "admin", "create-token", "--name", "grafana", "--role", "admin");
            assertThat(again.code()).isEqualTo(2);
            assertThat(again.err()).isEqualTo("fleetwatch: --name: a token named 'grafana' exists; revoke it or pick"
                    + " another name" + System.lineSeparator());
            assertThat(run(env, "admin", "list-tokens").out()).containsPattern("grafana\\s+viewer\\s+\\d{4}-\\d\\d-\\d\\d ")
                    .doesNotContain(made.out().strip());
            assertThat(run(env, "admin", "revoke-token", "grafana").out()).isEqualTo("token 'grafana' revoked"
                    + System.lineSeparator());
            Result twice = run(env, "admin", "revoke-token", "grafana");
            assertThat(twice.code()).isEqualTo(2);
            assertThat(twice.err()).startsWith("fleetwatch: no active token named 'grafana'");
        }
    }

    @Test
    void badConfigExitsTwoWithOneLineNamingTheKey() {
        Result r = run(Map.of("QUEUE_PORT", "amqp"), "queue-setup");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("fleetwatch: QUEUE_PORT: 'amqp' is not a port number" + System.lineSeparator());
        Result type = run(Map.of("FLEETWATCH_QUEUE_TYPE", "stream"), "queue-setup");
        assertThat(type.code()).isEqualTo(2);
        assertThat(type.err()).startsWith("fleetwatch: FLEETWATCH_QUEUE_TYPE: 'stream' is not a queue type");
        assertThat(run(Map.of("QUEUE_HOSTS", "127.0.0.1:1,"), "queue-setup").err())
                .startsWith("fleetwatch: QUEUE_HOSTS: empty host");
        Result noDb = run(Map.of(), "db", "status");
        assertThat(noDb.code()).isEqualTo(2);
        assertThat(noDb.err()).startsWith("fleetwatch: DATABASE_URL: not set");
    }

    @Test
    void unreachableBrokerIsOneLineNotAStackTrace() {
        Result r = run(Map.of("QUEUE_HOST", "127.0.0.1", "QUEUE_PORT", "1"), "queue-setup");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("fleetwatch: cannot connect to RabbitMQ at amqp://guest@127.0.0.1:1/");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void dbMigrateThenStatus() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
            assertThat(run(env, "db", "status").code()).isEqualTo(4); // pending migrations
            Result m = run(env, "db", "migrate");
            assertThat(m.code()).isZero();
            long applied = m.out().lines().filter(l -> l.startsWith("applied ")).count();
            assertThat(applied).isGreaterThanOrEqualTo(9);
            assertThat(m.out()).contains("db migrate: " + applied + " applied");
            Result s = run(env, "db", "status");
            assertThat(s.code()).isZero();
            assertThat(s.out()).containsPattern("metrics storage: (timescaledb|postgresql)");
            assertThat(run(env, "db", "migrate").out()).contains("schema is up to date");
        }
    }

    /** A server with TimescaleDB's files but no preload: require is a configuration error, one line, exit 2. */
    @Test
    void requireOnAServerWithoutThePreloadExitsTwoNamingTheFix() {
        try (TestDatabase db = TestDatabase.create(TestDatabase.Engine.POSTGRESQL)) {
            Result r = run(Map.of("DATABASE_URL", db.jdbcUrl(), "FLEETWATCH_TIMESCALEDB", "require"), "db", "migrate");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err().lines().filter(l -> l.startsWith("fleetwatch: ")).toList()).singleElement().asString()
                    .startsWith("fleetwatch: FLEETWATCH_TIMESCALEDB=require but ")
                    .containsAnyOf("shared_preload_libraries = 'timescaledb'", "not installed on this server");
            Result auto = run(Map.of("DATABASE_URL", db.jdbcUrl()), "db", "migrate");
            assertThat(auto.code()).as(auto.err()).isZero();
            assertThat(run(Map.of("DATABASE_URL", db.jdbcUrl()), "db", "status").out())
                    .contains("metrics storage: postgresql");
        }
    }
}
