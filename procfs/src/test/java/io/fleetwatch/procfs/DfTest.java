package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** df -P captured on a host with a long device name and a mount point with spaces in it. */
class DfTest {
    static final String ODD = Fixtures.read("df-odd.txt");

    @Test
    void capacityOfTheRightLineEvenWithSpacesAndLongNames() {
        assertThat(Df.percentOf(ODD, "/")).isEqualTo(23.0);
        assertThat(Df.percentOf(ODD, "/tmp/mnt with spaces")).isEqualTo(37.0);
        assertThat(Df.percentOf(ODD, "/dev")).isEqualTo(0.0);
        assertThatThrownBy(() -> Df.percentOf(ODD, "/data")).hasMessageContaining("no line for mount point /data");
    }

    @Test
    void statvfsGivesWhatDfPrints() {
        // /tmp/mnt with spaces: 4096 KiB, 1500 used, 2596 available -> 1500 / 4096 = 36.6 -> 37 %
        assertThat(Df.percent(4096, 4096 - 1500, 2596)).isEqualTo(37.0);
    }

    @Test
    void everyLineWithSizesInKib() {
        // df -P -k on this development VM
        assertThat(Df.rows(Fixtures.read("filesystems/df.txt"))).contains(
                new Df.Row(264212084, 23810652, 82580260, 23.0, "/"),
                new Df.Row(4, 0, 4, 0.0, "/mnt/sandboxing/model_tools_env/v1/python")).hasSize(5);
    }
}
