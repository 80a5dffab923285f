package io.fleetwatch.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    static final Path SAMPLE = Path.of("../packaging/src/main/etc/fleetwatch.yml.example");

    @TempDir
    Path dir;

    Path file(String yaml, String mode) throws Exception {
        Path f = Files.createTempFile(dir, "fleetwatch", ".yml");
        Files.writeString(f, yaml);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
        return f;
    }

    @Test
    void theSampleDocumentsEveryKeyAndEveryKeyReachesTheEnvironment() throws Exception {
        // Uncomment the optional keys of the sample ("  # key: value"), then every leaf of the schema must be set.
        String all = Files.readString(SAMPLE).replaceAll("(?m)^(\\s+)# (?=[a-z-]+:)", "$1");
        Map<String, String> env = Map.of("QUEUE_PASSWORD", "p", "SMTP_PASSWORD", "s", "SSH_PASSWORD", "x",
                "WEBHOOK_AUTHORIZATION", "Bearer x", "FLEETWATCH_API_TOKEN", "0123456789abcdef", "DATABASE_PASSWORD", "d");
        ConfigLoader.Loaded l = ConfigLoader.load(file(all, "rw-------"), env);
        List<String> unset = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        walk(l.config(), "", leaves, unset);
        assertThat(unset).as("keys of the schema missing from the sample").isEmpty();
        // Lists that the sample leaves empty ([]) are set but map to nothing.
        assertThat(l.fromFile()).hasSizeGreaterThanOrEqualTo(leaves.size() - 3);
        assertThat(l.env()).containsEntry("QUEUE_PASSWORD", "p").containsEntry("FLEETWATCH_CONSUMER_BATCH_SIZE", "1000")
                .containsEntry("FLEETWATCH_SERVE_COMPONENTS", "consumer,relay,api,scheduler,agent")
                .containsEntry("FLEETWATCH_SCAN_ALLOW", "127.0.0.0/8").containsEntry("QUEUE_TLS", "false");
    }

    private static void walk(Object node, String at, List<String> leaves, List<String> unset) throws Exception {
        for (RecordComponent c : node.getClass().getRecordComponents()) {
            String key = (at.isEmpty() ? "" : at + ".") + ConfigLoader.kebab(c.getName());
            Object v = c.getAccessor().invoke(node);
            if (c.getType().isRecord()) {
                if (v == null) {
                    unset.add(key);
                } else {
                    walk(v, key, leaves, unset);
                }
            } else {
                leaves.add(key);
                if (v == null) {
                    unset.add(key);
                }
            }
        }
    }

    @Test
    void variablesAreSubstitutedAfterParsing() throws Exception {
        Path f = file("""
                broker:
                  host: ${QHOST:-localhost}
                  port: ${QPORT:-5672}
                  password: "${QPASS}: not yaml: ${QHOST:-x}"
                  vhost: $${LITERAL}
                  user: ${NOBODY:-}
                """, "rw-------");
        ConfigLoader.Loaded l = ConfigLoader.load(f, Map.of("QPORT", "5673", "QPASS", "a # b"));
        assertThat(l.env()).containsEntry("QUEUE_HOST", "localhost").containsEntry("QUEUE_PORT", "5673")
                .containsEntry("QUEUE_PASSWORD", "a # b: not yaml: x").containsEntry("QUEUE_VHOST", "${LITERAL}")
                .doesNotContainKey("QUEUE_USER");
    }

    @Test
    void aRequiredVariableThatIsUnsetNamesTheKeyAndTheVariable() throws Exception {
        Path f = file("database:\n  password: ${DB_PASSWORD}\n", "rw-------");
        assertThatThrownBy(() -> ConfigLoader.load(f, Map.of()))
                .hasMessageContaining("database.password: environment variable DB_PASSWORD is required");
    }

    @Test
    void unknownKeysWrongTypesAndBadValuesNameTheKey() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(file("consumer:\n  batchsize: 5\n", "rw-------"), Map.of()))
                .hasMessageContaining("consumer.batchsize: unknown key (known here: batch-size, flush-ms, metrics, prefetch, workers)");
        assertThatThrownBy(() -> ConfigLoader.load(file("brokr:\n  host: x\n", "rw-------"), Map.of()))
                .hasMessageContaining("brokr: unknown key");
        assertThatThrownBy(() -> ConfigLoader.load(file("api:\n  port: ${P}\n", "rw-------"), Map.of("P", "http")))
                .hasMessageContaining("api.port: expected a whole number, not 'http'");
        assertThatThrownBy(() -> ConfigLoader.load(file("api:\n  port: 70000\nconsumer:\n  batch-size: 0\n", "rw-------"), Map.of()))
                .hasMessageContaining("api.port: must be a TCP port (1-65535) (was '70000')")
                .hasMessageContaining("consumer.batch-size: must be greater than or equal to 1 (was '0')");
        assertThatThrownBy(() -> ConfigLoader.load(file("serve:\n  components: [api, web]\n", "rw-------"), Map.of()))
                .hasMessageContaining("serve.components[1]: must be one of");
        assertThatThrownBy(() -> ConfigLoader.load(file("broker:\n  host: [\n", "rw-------"), Map.of()))
                .hasMessageContaining("not valid YAML at line");
    }

    @Test
    void aSecretWrittenInAFileOthersCanReadIsRefused() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(file("broker:\n  password: hunter2\n", "rw-r--r--"), Map.of()))
                .hasMessageContaining("broker.password: a secret is written in a file that group or others can read")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> ConfigLoader.load(
                file("database:\n  url: postgresql://fw:hunter2@db/fleetwatch\n", "rw-r-----"), Map.of()))
                .hasMessageContaining("database.url: a secret");
        assertThatThrownBy(() -> ConfigLoader.load(
                file("broker:\n  redis-url: redis://fw:hunter2@127.0.0.1:6379\n", "rw-r-----"), Map.of()))
                .hasMessageContaining("broker.redis-url: a secret").hasMessageNotContaining("hunter2");
        assertThat(ConfigLoader.load(file("broker:\n  redis-url: redis://127.0.0.1:6379\n", "rw-r--r--"), Map.of())
                .env()).containsEntry("REDIS_URL", "redis://127.0.0.1:6379");
        // References, URLs without a password, and 0600 files are fine.
        assertThat(ConfigLoader.load(file("broker:\n  password: ${P}\ndatabase:\n  url: postgresql://fw@db/fleetwatch\n",
                "rw-r--r--"), Map.of("P", "x")).env()).containsEntry("QUEUE_PASSWORD", "x");
        assertThat(ConfigLoader.load(file("broker:\n  password: hunter2\n", "rw-------"), Map.of()).env())
                .containsEntry("QUEUE_PASSWORD", "hunter2");
    }

    @Test
    void theEnvironmentWinsOverTheFile() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("QUEUE_HOST", "mq2", "PATH", "/usr/bin"));
        ConfigLoader.Loaded l = ConfigLoader.load(file("broker:\n  host: mq1\n  port: 5671\n", "rw-------"), env);
        assertThat(l.env()).containsEntry("QUEUE_HOST", "mq2").containsEntry("QUEUE_PORT", "5671").containsEntry("PATH", "/usr/bin");
        assertThat(l.overridden()).containsExactly("QUEUE_HOST");
    }

    @Test
    void anEmptyFileIsAValidConfiguration() throws Exception {
        assertThat(ConfigLoader.load(file("# nothing yet\n", "rw-------"), Map.of()).fromFile()).isEmpty();
    }
}
