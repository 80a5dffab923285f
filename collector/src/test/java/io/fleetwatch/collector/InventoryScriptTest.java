package io.fleetwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.InventoryMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The inventory command's output, parsed from fixtures: a full workstation (as a non-root login sees it), a minimal board. */
class InventoryScriptTest {
    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    static String fixture(String name) throws Exception {
        try (InputStream in = InventoryScriptTest.class.getResourceAsStream("/inventory/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aWorkstationAsAnUnprivilegedLoginSeesIt() throws Exception {
        InventoryMessage m = InventoryScript.parse(fixture("workstation.txt"), null, "ssh:lab-pc-01:22", AT);
        assertThat(m.hostId()).isEqualTo("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
        assertThat(m.hostname()).isEqualTo("lab-pc-01");
        assertThat(m.collectedAt()).isEqualTo(AT);
        // 4 logical CPUs on 2 cores (hyper-threading)
        assertThat(m.cpu()).isEqualTo(new InventoryMessage.Cpu("Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz", 2, 4));
        assertThat(m.memoryBytes()).isEqualTo(16_303_412L * 1024);
        // disks only: no loop device, no optical drive, no zram; sizes as numbers or as strings
        assertThat(m.disks()).containsExactly(
                new InventoryMessage.Disk("nvme0n1", "Samsung SSD 970 EVO Plus 500GB", "S4EVNX0N123456", 500_107_862_016L),
                new InventoryMessage.Disk("sda", "WDC WD10EZEX-08W", "WD-WCC6Y0000001", 1_000_204_886_016L));
        // data file systems only, a mount point with a space kept whole
        assertThat(m.filesystems()).containsExactly(
                new InventoryMessage.FileSystem("/", "ext4", 479_080_264L * 1024),
                new InventoryMessage.FileSystem("/boot/efi", "vfat", 523_248L * 1024),
                new InventoryMessage.FileSystem("/srv/lab data", "xfs", 976_285_652L * 1024));
        // loopback left out; the Docker bridge's default MAC is a placeholder, dropped; an interface without one kept
        assertThat(m.networkInterfaces()).containsExactly(
                new InventoryMessage.NetworkInterface("docker0", null),
                new InventoryMessage.NetworkInterface("eno1", "00:1B:44:11:3A:B7"),
                new InventoryMessage.NetworkInterface("wlp2s0", null));
        assertThat(m.gpus()).containsExactly(new InventoryMessage.Gpu("NVIDIA GeForce RTX 3060", "NVIDIA", 12_288L << 20));
        assertThat(m.os()).isEqualTo(new InventoryMessage.Os("Debian GNU/Linux", "12 (bookworm)", "6.1.0-26-amd64"));
        // serials and UUID need root: absent
        assertThat(m.hardware()).isEqualTo(new InventoryMessage.Hardware("Dell Inc.", "OptiPlex 7080", null, null,
                "Dell Inc.", "0J37VM", null));
        assertThat(m.bios()).isEqualTo(new InventoryMessage.Bios("Dell Inc.", "1.21.0", "05/14/2024"));
    }

    @Test
    void aMinimalBoardWithoutLsblkOsReleaseOrDmi() throws Exception {
        InventoryMessage m = InventoryScript.parse(fixture("minimal.txt"), 42L, "ssh:pi-07:22", AT);
        assertThat(m.systemId()).isEqualTo(42L);
        assertThat(m.hostId()).isNull(); // no machine-id; the system is named by id
        assertThat(m.cpu()).isEqualTo(new InventoryMessage.Cpu("Raspberry Pi 4 Model B Rev 1.4", null, 1));
        assertThat(m.disks()).containsExactly(new InventoryMessage.Disk("mmcblk0", null, null, 62_333_952L * 512));
        assertThat(m.filesystems()).isEmpty();
        assertThat(m.os()).isEqualTo(new InventoryMessage.Os(null, null, "6.6.31+rpt-rpi-v8"));
        assertThat(m.hardware()).isNull();
        assertThat(m.bios()).isNull();
        assertThat(m.gpus()).isEmpty();

        InventoryMessage byAddress = InventoryScript.parse(fixture("minimal.txt"), null, "ssh:pi-07:22", AT);
        assertThat(byAddress.hostId()).isEqualTo("ssh:pi-07:22");
    }

    @Test
    void theSameHostReadTwiceHasTheSameContent() throws Exception {
        String out = fixture("workstation.txt");
        assertThat(InventoryScript.parse(out, null, "x", AT).contentHash())
                .isEqualTo(InventoryScript.parse(out, null, "x", AT.plusSeconds(900)).contentHash());
        String smaller = out.replace("MemTotal:       16303412 kB", "MemTotal:        8151704 kB");
        assertThat(InventoryScript.parse(smaller, null, "x", AT).contentHash())
                .isNotEqualTo(InventoryScript.parse(out, null, "x", AT).contentHash());
    }

    @Test
    void cutShortOrBrokenOutputIsAClearError() throws Exception {
        String out = fixture("workstation.txt");
        assertThatThrownBy(() -> InventoryScript.parse(out.substring(0, out.indexOf("@@end")), null, "x", AT))
                .hasMessageContaining("no @@end marker");
        assertThatThrownBy(() -> InventoryScript.parse(out.replace("\"blockdevices\"", "blockdevices"), null, "x", AT))
                .hasMessageContaining("lsblk output is not JSON");
    }
}
