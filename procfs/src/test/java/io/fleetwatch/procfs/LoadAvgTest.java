package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** /proc/loadavg captured on the development VM. */
class LoadAvgTest {
    @Test
    void theThreeAverages() {
        assertThat(LoadAvg.averages(Fixtures.read("load/loadavg"))).containsExactly(1.96, 0.92, 0.36);
        assertThatThrownBy(() -> LoadAvg.averages("0.5\n")).hasMessageContaining("fewer than three fields");
    }
}
