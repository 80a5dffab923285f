package io.fleetwatch.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.messages.InventoryMessage;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.procfs.InventoryValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

/** The inventory OSHI reads on this host, live: valid, consistent with /proc, without pseudo devices, stable. */
class OshiInventoryTest {
    private static final SystemInfo SI = new SystemInfo();

    @Test
    void thisHostsInventoryIsValidAndAgreesWithProc() throws Exception {
        OshiInventory reader = new OshiInventory(SI);
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        InventoryMessage m = reader.read("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "this-host", null, null, at);

        // the record's own checks passed; its JSON parses back to the same inventory
        assertThat(MessageCodec.decode(MessageCodec.encode(m), InventoryMessage.class)).isEqualTo(m);
        long memTotalKib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElseThrow();
        assertThat(m.memoryBytes()).isEqualTo(memTotalKib * 1024);
        assertThat(m.cpu().logicalCores()).isPositive();
        assertThat(m.os().kernel()).isEqualTo(System.getProperty("os.version"));
        assertThat(m.disks()).allSatisfy(d -> {
            assertThat(d.name()).doesNotStartWith("/dev/");
            assertThat(InventoryValues.isVirtualBlockDevice(d.name())).isFalse();
        });
        assertThat(m.filesystems()).isNotEmpty().allSatisfy(f ->
                assertThat(InventoryValues.isPseudoFileSystem(f.type())).as(f.toString()).isFalse());
        assertThat(m.filesystems()).extracting(InventoryMessage.FileSystem::mount).contains("/");
        assertThat(m.networkInterfaces()).extracting(InventoryMessage.NetworkInterface::name).doesNotContain("lo");

        // read again: the same content (the agent sends only changes)
        assertThat(reader.read("0f1e2d3c4b5a69788796a5b4c3d2e1f0", "this-host", null, null, at.plusSeconds(60))
                .contentHash()).isEqualTo(m.contentHash());
    }

    @Test
    void placeholdersBecomeAbsent() {
        assertThat(OshiInventory.text("unknown")).isNull();
        assertThat(OshiInventory.text(" To Be Filled By O.E.M. ")).isNull();
        assertThat(OshiInventory.text("Default string")).isNull();
        assertThat(OshiInventory.text("  Dell Inc. ")).isEqualTo("Dell Inc.");
    }
}
