package io.fleetwatch.scanner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** /proc/net/arp captured in the scanner namespace of NamespaceScanIT's lab right after a /24 sweep. */
class NeighbourTableTest {
    @Test
    void completeEntriesAreTheHostsThatAnsweredAndIncompleteOnesAreNot() throws Exception {
        List<NeighbourTable.Entry> all = NeighbourTable.parse(
                Files.readString(Path.of("src/test/resources/fixtures/proc-net-arp.txt")));
        assertThat(all).hasSize(253);
        List<NeighbourTable.Entry> live = all.stream().filter(NeighbourTable.Entry::complete).toList();
        assertThat(live).extracting(NeighbourTable.Entry::ip).containsExactlyInAnyOrder("198.18.0.10", "198.18.0.11",
                "198.18.0.12", "198.18.0.13", "198.18.0.20", "198.18.0.21", "198.18.0.30", "198.18.0.200");
        assertThat(live).filteredOn(e -> e.ip().equals("198.18.0.200")).extracting(NeighbourTable.Entry::mac)
                .containsExactly("02:F0:00:00:01:C8");
        assertThat(all).filteredOn(e -> !e.complete()).allSatisfy(e -> {
            assertThat(e.flags()).isZero();
            assertThat(e.mac()).isEqualTo("00:00:00:00:00:00");
        });
        assertThat(all).allSatisfy(e -> assertThat(e.device()).isEqualTo("eth0"));
    }
}
