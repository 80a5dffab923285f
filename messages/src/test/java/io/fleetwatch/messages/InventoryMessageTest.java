package io.fleetwatch.messages;

import static io.fleetwatch.messages.GoldenMessagesTest.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The inventory message: the contract's example, validation with the field named, the content hash, the diff. */
class InventoryMessageTest {

    static InventoryMessage example() throws Exception {
        return MessageCodec.decode(golden("inventory.json"), InventoryMessage.class);
    }

    static ObjectNode exampleTree() throws Exception {
        return (ObjectNode) MessageCodec.mapper().readTree(golden("inventory.json"));
    }

    static byte[] bytes(JsonNode tree) {
        return tree.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theContractsExampleParsesAndSurvivesARoundTrip() throws Exception {
        InventoryMessage m = example();
        assertThat(m.hostId()).isEqualTo("4c4c4544-0042-3510-8052-b4c04f4e4d32");
        assertThat(m.cpu()).isEqualTo(new InventoryMessage.Cpu("Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz", 8, 16));
        assertThat(m.memoryBytes()).isEqualTo(17_179_869_184L);
        assertThat(m.disks()).singleElement().satisfies(d -> assertThat(d.sizeBytes()).isEqualTo(500_107_862_016L));
        assertThat(m.filesystems()).extracting(InventoryMessage.FileSystem::mount).containsExactly("/", "/boot/efi");
        assertThat(m.networkInterfaces().get(0).macAddress()).isEqualTo("00:1B:44:11:3A:B7");
        assertThat(m.os().kernel()).isEqualTo("6.1.0-26-amd64");
        assertThat(m.hardware().boardSerial()).isEqualTo("/5Q3ABC3/CNFCW0011A00AB/");
        assertThat(m.bios().releaseDate()).isEqualTo("05/14/2024");
        JsonNode back = MessageCodec.mapper().readTree(MessageCodec.encode(m));
        assertThat(back).isEqualTo(exampleTree());
        assertThat(MessageCodec.decode(MessageCodec.encode(m), InventoryMessage.class)).isEqualTo(m);
    }

    @Test
    void onlyTheIdentityAndTheTimeAreRequired() throws Exception {
        InventoryMessage m = MessageCodec.decode(
                "{\"system_id\": 7, \"collected_at\": \"2025-11-25T10:30:00Z\"}".getBytes(StandardCharsets.UTF_8),
                InventoryMessage.class);
        assertThat(m.disks()).isEmpty();
        assertThat(m.cpu()).isNull();
        assertThatThrownBy(() -> MessageCodec.decode("{\"collected_at\": \"2025-11-25T10:30:00Z\"}"
                .getBytes(StandardCharsets.UTF_8), InventoryMessage.class))
                .hasMessageContaining("one of system_id and host_id is required");
        assertThatThrownBy(() -> MessageCodec.decode("{\"system_id\": 7}".getBytes(StandardCharsets.UTF_8),
                InventoryMessage.class)).hasMessageContaining("collected_at is required");
    }

    @ParameterizedTest(name = "{0} = {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "/memory_bytes              | -1                    | memory_bytes must be in [0, 1152921504606846976]",
            "/memory_bytes              | 1152921504606846977   | memory_bytes must be in",
            "/memory_bytes              | '\"16\"'              | invalid field memory_bytes",
            "/memory_bytes              | 1.5                   | invalid field memory_bytes",
            "/cpu/physical_cores        | 0                     | cpu.physical_cores must be in [1, 100000]",
            "/cpu/logical_cores         | 100001                | cpu.logical_cores must be in [1, 100000]",
            "/cpu/model                 | 42                    | invalid field cpu.model",
            "/disks/0/name              | null                  | disks.name is required",
            "/disks/0/size_bytes        | -5                    | disks.size_bytes must be in",
            "/filesystems/0/mount       | '\"\"'                | filesystems.mount is required",
            "/network_interfaces/0/mac_address | '\"zz:zz\"'    | network_interfaces.mac_address is not a MAC address",
            "/os/kernel                 | '\"6.1\\u0000x\"'     | os.kernel contains control characters",
            "/hardware/serial           | '\"S\\nforged\"'      | hardware.serial contains control characters",
            "/collected_at              | '\"1999-12-31T23:59:59Z\"' | collected_at must be from 2000",
            "/host_id                   | '\"00000000-0000-0000-0000-000000000000\"' | is a placeholder",
            "/disks                     | '{\"name\": \"sda\"}' | invalid field disks",
    })
    void badFieldsAreRefusedWithTheFieldNamed(String pointer, String value, String reason) throws Exception {
        ObjectNode tree = exampleTree();
        int slash = pointer.lastIndexOf('/');
        JsonNode parent = tree.at(pointer.substring(0, slash));
        String field = pointer.substring(slash + 1);
        JsonNode v = MessageCodec.mapper().readTree(value);
        if (parent instanceof ArrayNode a) {
            a.set(Integer.parseInt(field), v);
        } else {
            ((ObjectNode) parent).set(field, v);
        }
        assertThatThrownBy(() -> MessageCodec.decode(bytes(tree), InventoryMessage.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void listsAreBoundedAndTheirKeysUnique() throws Exception {
        ObjectNode tree = exampleTree();
        ArrayNode disks = tree.putArray("disks");
        for (int i = 0; i <= Bounds.INVENTORY_LIST_MAX; i++) {
            disks.addObject().put("name", "sd" + i);
        }
        assertThatThrownBy(() -> MessageCodec.decode(bytes(tree), InventoryMessage.class))
                .hasMessageContaining("disks has 129 entries, at most 128");
        ArrayNode twice = tree.putArray("filesystems");
        twice.addObject().put("mount", "/");
        twice.addObject().put("mount", "/");
        tree.putArray("disks");
        assertThatThrownBy(() -> MessageCodec.decode(bytes(tree), InventoryMessage.class))
                .hasMessageContaining("filesystems lists '/' twice");
        tree.putArray("filesystems").addNull();
        assertThatThrownBy(() -> MessageCodec.decode(bytes(tree), InventoryMessage.class))
                .hasMessageContaining("filesystems contains null");
        tree.putArray("filesystems");
        tree.with("os").put("name", "x".repeat(Bounds.INVENTORY_TEXT_MAX + 1));
        assertThatThrownBy(() -> MessageCodec.decode(bytes(tree), InventoryMessage.class))
                .hasMessageContaining("os.name is longer than 255 characters");
    }

    @Test
    void theHashIgnoresIdentityTimeAndListOrderButNotTheContent() throws Exception {
        InventoryMessage m = example();
        ObjectNode tree = exampleTree();
        tree.put("collected_at", "2026-01-01T00:00:00Z");
        tree.put("hostname", "renamed");
        ArrayNode fs = (ArrayNode) tree.get("filesystems");
        JsonNode first = fs.remove(0);
        fs.add(first); // the other order
        InventoryMessage same = MessageCodec.decode(bytes(tree), InventoryMessage.class);
        assertThat(same.contentHash()).isEqualTo(m.contentHash()).matches("[0-9a-f]{64}");
        assertThat(same.filesystems()).isEqualTo(m.filesystems());

        tree.put("memory_bytes", 8_589_934_592L);
        assertThat(MessageCodec.decode(bytes(tree), InventoryMessage.class).contentHash())
                .isNotEqualTo(m.contentHash());
        assertThat(m.at(Instant.parse("2026-02-02T00:00:00Z")).contentHash()).isEqualTo(m.contentHash());
    }

    @Test
    void theDiffSaysWhatChanged() throws Exception {
        InventoryMessage before = example();
        ObjectNode tree = exampleTree();
        tree.put("memory_bytes", 8_589_934_592L); // a module removed
        ((ObjectNode) tree.get("disks").get(0)).put("serial", "S4EVNX0N999999"); // the disk replaced
        ((ArrayNode) tree.get("disks")).addObject().put("name", "sda").put("size_bytes", 1_000_204_886_016L);
        ((ArrayNode) tree.get("gpus")).removeAll();
        tree.with("os").put("kernel", "6.1.0-27-amd64");
        InventoryMessage after = MessageCodec.decode(bytes(tree), InventoryMessage.class);

        List<InventoryDiff.Change> changes = InventoryDiff.between(before, after);
        assertThat(changes).extracting(InventoryDiff.Change::describe).containsExactly(
                "memory_bytes changed: 17179869184 → 8589934592",
                "disks nvme0n1 changed: {\"name\":\"nvme0n1\",\"model\":\"Samsung SSD 970 EVO Plus 500GB\","
                        + "\"serial\":\"S4EVNX0N123456\",\"size_bytes\":500107862016} → {\"name\":\"nvme0n1\","
                        + "\"model\":\"Samsung SSD 970 EVO Plus 500GB\",\"serial\":\"S4EVNX0N999999\","
                        + "\"size_bytes\":500107862016}",
                "disks sda added",
                "gpus NVIDIA GeForce RTX 3060 removed",
                "os changed: {\"name\":\"Debian GNU/Linux\",\"version\":\"12 (bookworm)\",\"kernel\":\"6.1.0-26-amd64\"}"
                        + " → {\"name\":\"Debian GNU/Linux\",\"version\":\"12 (bookworm)\",\"kernel\":\"6.1.0-27-amd64\"}");
        assertThat(changes.get(2)).isEqualTo(new InventoryDiff.Change("disks", "sda", "added", null,
                "{\"name\":\"sda\",\"size_bytes\":1000204886016}"));
        assertThat(InventoryDiff.between(before, before.at(Instant.parse("2026-01-01T00:00:00Z")))).isEmpty();
    }

    @Test
    void itHasItsOwnRoutingKeyAndQueue() {
        assertThat(Routing.INVENTORY_ROUTING_KEY).isEqualTo("inventory.collected");
        Routing.QueueNames q = Routing.QueueNames.fromEnv(java.util.Map.of("INVENTORY_QUEUE", "inv2"));
        assertThat(q.all()).containsExactly("discovery_queue", "metrics_queue", "alert_queue", "inv2");
        assertThat(Routing.QueueNames.defaults().inventory()).isEqualTo("inventory_queue");
    }
}
