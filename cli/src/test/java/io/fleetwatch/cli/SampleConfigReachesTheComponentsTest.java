package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.agent.AgentSettings;
import io.fleetwatch.api.ApiSettings;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.cli.config.ConfigLoader;
import io.fleetwatch.cli.config.FleetwatchConfig;
import io.fleetwatch.collector.SshSettings;
import io.fleetwatch.consumer.ConsumerSettings;
import io.fleetwatch.consumer.notify.NotifySettings;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.sql.ReadReplicaSettings;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key of the shipped sample config reaches the component that uses it: the sample is loaded (once as shipped,
 * once with its optional keys uncommented), every component's settings are built from it as the commands build
 * them, and no key the file sets is left unread. The table, the YAML schema and the sample list the same keys.
 */
class SampleConfigReachesTheComponentsTest {
    static final Path SAMPLE = Path.of("../packaging/src/main/etc/fleetwatch.yml.example");
    /** Keys that only the environment gives (no place in the file). */
    static final Set<Key<?>> ENV_ONLY = Set.of(Keys.CONFIG_FILE);

    @TempDir
    Path dir;

    /** Every component's settings, built the way the commands build them at start. */
    static void buildEverySetting(Map<String, String> env) {
        BrokerSettings broker = BrokerSettings.fromEnv(env);
        Management.base(env, broker);
        Topology.fromEnv(env);
        io.fleetwatch.transport.Transports.checkEnv(env);
        Routing.QueueNames.fromEnv(env);
        DatabaseSettings.fromEnv(env);
        ReadReplicaSettings.fromEnv(env);
        Migrator.fromEnv(null, env);
        ConsumerSettings.fromEnv(env);
        NotifySettings.channels(env);
        NotifySettings.retries(env);
        QueueWatch.Thresholds.fromEnv(env);
        io.fleetwatch.consumer.runtime.RelayComponent.threads(env);
        ApiSettings.fromEnv(env);
        io.fleetwatch.jobs.ScanJobs.schedules(env);
        io.fleetwatch.jobs.ScanJobs.policy(env);
        io.fleetwatch.jobs.ScanJobSettings.fromEnv(env);
        SshSettings.fromEnv(env);
        AgentSettings.fromEnv(env);
        Components.serve(env);
        for (Components.Exposed c : Components.Exposed.values()) {
            c.port(env);
        }
        io.fleetwatch.sql.Retention.fromEnv(env);
        Config.applyLogFormat(env);
        Config.applyLogLevel(env);
    }

    Path secretFile(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    Settings load(String yaml, Map<String, String> env) throws Exception {
        Path f = secretFile("fleetwatch-" + Math.abs(yaml.hashCode()) + ".yml", yaml);
        return ConfigLoader.load(f, env).settings();
    }

    @Test
    void everyKeyOfTheSampleIsReadByAComponent() throws Exception {
        String shipped = Files.readString(SAMPLE);
        String optional = shipped.replaceAll("(?m)^(\\s+)# (?=[a-z-]+:)", "$1");
        assertThat(optional).isNotEqualTo(shipped);
        // The files the sample names under /etc are not on this machine: the environment points at stand-ins
        // (a variable that is set wins over the file, and counts as the key).
        Map<String, String> env = Map.of("QUEUE_PASSWORD", "p", "DATABASE_PASSWORD", "d", "SMTP_PASSWORD", "s",
                "SSH_PASSWORD", "x", "WEBHOOK_AUTHORIZATION", "Bearer x", "FLEETWATCH_API_TOKEN", "0123456789abcdef",
                "FLEETWATCH_API_TOKEN_FILE", secretFile("api-token", "0123456789abcdef0123").toString(),
                "FLEETWATCH_SSH_PASSWORD", "x",
                "FLEETWATCH_SSH_KEY", secretFile("id_ed25519", "not really a key").toString());

        // A key one run leaves unread (the uri wins over host and port) must be read in the other.
        Set<Key<?>> set = new LinkedHashSet<>();
        Set<Key<?>> read = new LinkedHashSet<>();
        for (String yaml : List.of(shipped, optional)) {
            Settings s = load(yaml, env);
            buildEverySetting(s.env());
            Set<Key<?>> readHere = s.set();
            readHere.removeAll(s.unread());
            set.addAll(s.set());
            read.addAll(readHere);
        }
        Set<Key<?>> unread = new LinkedHashSet<>(set);
        unread.removeAll(read);
        assertThat(unread).as("keys set in the sample that no component reads").isEmpty();
        Set<Key<?>> inFile = Keys.ALL.stream().filter(k -> k.path().isPresent()).collect(Collectors.toSet());
        assertThat(set).as("every key of the table is in the sample (uncommented)").containsAll(inFile);
        assertThat(Keys.ALL.stream().filter(k -> k.path().isEmpty()).toList()).as("keys only the environment gives")
                .containsExactlyInAnyOrderElementsOf(ENV_ONLY);
    }

    @Test
    void theSampleReachesTheComponentsWithItsValues() throws Exception {
        Settings s = load(Files.readString(SAMPLE), Map.of("QUEUE_PASSWORD", "p", "DATABASE_PASSWORD", "d",
                "FLEETWATCH_SSH_PASSWORD", "x"));
        BrokerSettings b = BrokerSettings.from(s);
        assertThat(b.describe()).isEqualTo("amqp://fleetwatch@127.0.0.1:5672/");
        assertThat(b.password()).isEqualTo("p");
        assertThat(Topology.from(s).type()).isEqualTo(Topology.QueueType.CLASSIC);
        assertThat(io.fleetwatch.transport.TransportKind.from(s)).isEqualTo(io.fleetwatch.transport.TransportKind.RABBITMQ);
        assertThat(Topology.queueNames(s)).isEqualTo(Routing.QueueNames.defaults());
        assertThat(DatabaseSettings.from(s).poolSize()).isEqualTo(8);
        assertThat(ConsumerSettings.from(s).batch().batchSize()).isEqualTo(1000);
        assertThat(QueueWatch.Thresholds.from(s)).isEqualTo(new QueueWatch.Thresholds(1000, 10000));
        assertThat(SshSettings.from(s).connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        AgentSettings a = AgentSettings.from(s);
        assertThat(a.interval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(a.spoolMaxAge()).isEqualTo(Duration.ofDays(7));
        assertThat(a.spoolMaxBytes()).isEqualTo(64L << 20);
        assertThat(Components.serve(s.env())).containsExactly("consumer", "relay", "api", "scheduler", "agent");
        assertThat(s.get(Keys.SCAN_ALLOW)).containsExactly("127.0.0.0/8");
    }

    @Test
    void theFileSchemaAndTheTableHaveTheSameKeysAndTheSampleNamesEachVariable() throws Exception {
        List<String> leaves = new ArrayList<>();
        leaves(FleetwatchConfig.class, "", leaves);
        assertThat(leaves).as("every key of fleetwatch.yml is a key of the settings table, and back")
                .containsExactlyInAnyOrderElementsOf(Keys.ALL.stream().flatMap(k -> k.path().stream()).toList());
        String sample = Files.readString(SAMPLE);
        for (Key<?> k : Keys.ALL) {
            if (!ENV_ONLY.contains(k)) {
                assertThat(sample).as("the sample names %s's variable", k.path().orElseThrow()).contains("# " + k.env());
            }
        }
        // the message contract's names for the queue variables are the table's
        assertThat(List.of(Routing.ENV_DISCOVERY_QUEUE, Routing.ENV_METRICS_QUEUE, Routing.ENV_ALERT_QUEUE,
                Routing.ENV_INVENTORY_QUEUE))
                .containsExactly(Keys.BROKER_DISCOVERY_QUEUE.env(), Keys.BROKER_METRICS_QUEUE.env(),
                        Keys.BROKER_ALERT_QUEUE.env(), Keys.BROKER_INVENTORY_QUEUE.env());
        assertThat(List.of(Routing.DISCOVERY_QUEUE, Routing.METRICS_QUEUE, Routing.ALERT_QUEUE,
                Routing.INVENTORY_QUEUE))
                .containsExactly(Keys.BROKER_DISCOVERY_QUEUE.defaultText().orElseThrow(),
                        Keys.BROKER_METRICS_QUEUE.defaultText().orElseThrow(),
                        Keys.BROKER_ALERT_QUEUE.defaultText().orElseThrow(),
                        Keys.BROKER_INVENTORY_QUEUE.defaultText().orElseThrow());
    }

    private static void leaves(Class<?> type, String at, List<String> out) {
        for (RecordComponent c : type.getRecordComponents()) {
            String key = (at.isEmpty() ? "" : at + ".") + c.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            if (c.getType().isRecord()) {
                leaves(c.getType(), key, out);
            } else {
                out.add(key);
            }
        }
    }
}
