package io.fleetwatch.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.messages.MetricsMessage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import oshi.SystemInfo;

/**
 * The OSHI sources on this (Linux) host, live, against Fleetwatch's own readers of the same kernel figures: the same
 * jar reads the same values through OSHI, which is what it does on Windows and macOS.
 */
@EnabledOnOs(OS.LINUX)
class OshiSourcesTest {
    static final OshiSources OSHI = new OshiSources(new SystemInfo());
    static final HostPaths HOST = HostPaths.system();

    @Test
    void oshiReadsTheSameKernelFiguresAsTheProcReaders() throws Exception {
        long[] oshiTicks = OSHI.cpuTicks().read();
        long[] procTicks = ProcSources.cpuTicks(HOST).read();
        assertThat(oshiTicks).hasSize(8);
        // OSHI gives milliseconds, /proc/stat clock ticks (USER_HZ, 100 on Linux): idle time of all CPUs agrees
        assertThat(oshiTicks[3] / 10.0).isCloseTo(procTicks[3], within(Math.max(500.0, procTicks[3] * 0.01)));
        assertThat(OSHI.uptimeSeconds().read()).isCloseTo(ProcSources.uptimeSeconds(HOST).read(), within(2L));
        assertThat(OSHI.ramPercent().read()).isCloseTo(ProcSources.ramPercent(HOST).read(), within(5.0));
        assertThat(OSHI.diskPercent(Path.of("/")).read()).isCloseTo(ProcSources.diskPercent(Path.of("/")).read(), within(1.0));
        long[] bytes = OSHI.networkBytes().read();
        assertThat(bytes).hasSize(2);
        assertThat(Math.min(bytes[0], bytes[1])).isNotNegative();
        assertThat(OSHI.loggedInUsers().read()).isNotNegative();
    }

    @Test
    void aDirectoryThatIsNoMountPointIsAnErrorNotAnotherFileSystemsFigure() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OSHI.diskPercent(Path.of("/no/such/mount")).read())
                .hasMessageContaining("no file system mounted at /no/such/mount");
    }

    @Test
    void anAgentOnOshiAloneSamplesThisHost() throws Exception {
        LocalSampler s = new LocalSampler(OSHI.all(Path.of("/"), ""), System::nanoTime);
        assertThat(s.sample()).isNull();
        Thread.sleep(300);
        MetricsMessage.Metrics m = s.sample();
        assertThat(m.cpuPercent()).isBetween(0.0, 100.0);
        assertThat(m.ramPercent()).isPositive();
        assertThat(m.uptimeSeconds()).isPositive();
        assertThat(m.gpuPercent()).as("no nvidia-smi on an empty PATH").isNull();
    }

    @Test
    void onLinuxCpuDiskNetworkAndUsersComeFromFleetwatchsOwnReaders() {
        var byName = HostSources.forThisHost(new SystemInfo(), HOST, Path.of("/"), "").byName();
        assertThat(byName.get("cpu").describe()).isEqualTo("/proc/stat");
        assertThat(byName.get("memory").describe()).startsWith("OSHI");
        assertThat(byName.get("uptime").describe()).startsWith("OSHI");
        assertThat(byName.get("disk").describe()).isEqualTo("statvfs (JDK FileStore)");
        assertThat(byName.get("network").describe()).isEqualTo("/proc/net/dev");
        assertThat(byName.get("users").describe()).isEqualTo("utmp");
        assertThat(byName.get("gpu").describe()).startsWith("nvidia-smi");
        for (String own : new String[] {"load", "swap", "diskio", "temperature", "processes", "filesystems"}) {
            assertThat(byName.get(own).describe()).as(own).doesNotStartWith("OSHI");
        }
    }

    @Test
    void oshiReadsTheOtherMetricsAsTheProcReadersDo() throws Exception {
        double[] oshiLoad = OSHI.loadAverage().read();
        assertThat(oshiLoad[2]).isCloseTo(ProcSources.loadAverage(HOST).read()[2], within(0.5));
        Double procSwap = ProcSources.swapPercent(HOST).read();
        Double oshiSwap = OSHI.swapPercent().read();
        if (procSwap == null) {
            assertThat(oshiSwap).as("no swap").isNull();
        } else {
            assertThat(oshiSwap).isCloseTo(procSwap, within(5.0));
        }
        assertThat(OSHI.processCount().read()).isCloseTo(ProcSources.processCount(HOST).read(), within(50));
        assertThat(OSHI.diskBytes().read()[0]).isNotNegative();
        // OSHI falls back to sensors the own reader does not take for the CPU's (ACPI zones): only its range is checked
        Double oshiCelsius = OSHI.cpuTemperature().read();
        if (oshiCelsius != null) {
            assertThat(oshiCelsius).isBetween(-50.0, 200.0);
        }
        assertThat(OSHI.filesystems().read()).extracting(io.fleetwatch.sampling.FilesystemUsage::mount).contains("/");
    }
}
