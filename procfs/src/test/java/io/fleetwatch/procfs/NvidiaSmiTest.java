package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** nvidia-smi's --query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu output (see the README there). */
class NvidiaSmiTest {
    @Test
    void utilisationMemoryAndTemperature() {
        NvidiaSmi.Gpus two = NvidiaSmi.read(Fixtures.read("gpu/two-gpus.txt"));
        assertThat(two.utilisation()).isEqualTo(64.0);
        assertThat(two.memoryPercent()).isCloseTo(100.0 * (10240 + 70656) / (2 * 81559), within(1e-9));
        assertThat(two.temperature()).as("the hottest").isEqualTo(67.0);
        assertThat(NvidiaSmi.read(Fixtures.read("gpu/one-gpu-memory-na.txt")))
                .isEqualTo(new NvidiaSmi.Gpus(12.0, null, 35.0));
        assertThat(NvidiaSmi.read(Fixtures.read("gpu/no-gpu.txt"))).isEqualTo(NvidiaSmi.Gpus.NONE);
        assertThat(NvidiaSmi.read("[N/A]\n45\n")).as("the older one-field query").isEqualTo(new NvidiaSmi.Gpus(45.0, null, null));
        assertThat(String.join(" ", NvidiaSmi.QUERY)).contains("utilization.gpu,memory.used,memory.total,temperature.gpu")
                .contains("--format=csv,noheader,nounits");
    }
}
