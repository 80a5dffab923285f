package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** /proc/meminfo of the development VM (no swap), and the same with a swap file's lines. */
class MemInfoTest {
    @Test
    void swapInUseIsTotalMinusFreeAndNullWithoutSwap() {
        assertThat(MemInfo.swapUsedPercent(Fixtures.read("swap/meminfo-no-swap"))).as("no swap: none, not 0").isNull();
        // (2097148 - 1572860) / 2097148
        assertThat(MemInfo.swapUsedPercent(Fixtures.read("swap/meminfo-swap"))).isCloseTo(25.0, within(0.01));
        assertThatThrownBy(() -> MemInfo.swapUsedPercent("MemTotal: 1000 kB\n")).hasMessageContaining("SwapTotal");
    }

    @Test
    void ramIsStillTotalMinusAvailable() {
        String m = Fixtures.read("swap/meminfo-no-swap");
        assertThat(MemInfo.usedPercent(m)).isCloseTo(100.0 * (24683772 - 23886076) / 24683772, within(1e-9));
        assertThat(MemInfo.kib("SwapCached: 5 kB\nCached: 7 kB\n", "Cached")).as("not SwapCached's line").isEqualTo(7);
        assertThat(MemInfo.usedPercent("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n"))
                .as("kernels before 3.14").isEqualTo(60.0);
    }
}
