package io.fleetwatch.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.agent.HostPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Every collector against real captured files; expected values worked out by hand from those files. */
class CollectorFixturesTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    static Path fx(String rel) {
        return FIXTURES.resolve(rel);
    }

    private static void put(String fixture, Path target) throws Exception {
        Files.copy(fx(fixture), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void cpuIsBusyTicksOverAllTicksBetweenTwoReadings() throws Exception {
        // cpu line deltas: user 99, nice 0, system 12, idle 153, iowait 0, irq 0, softirq 1, steal 0 -> 112 / 265
        Path stat = Files.createTempFile("stat", "");
        CpuCollector c = new CpuCollector(stat);
        Reading r = new Reading();
        put("cpu/stat.1", stat);
        c.collect(r);
        assertThat(r.cpuPercent).as("first reading only primes").isNull();
        put("cpu/stat.2", stat);
        c.collect(r);
        assertThat(r.cpuPercent).isEqualTo(42.26);
    }

    @Test
    void memoryIsTotalMinusAvailable() throws Exception {
        Reading r = new Reading();
        new MemoryCollector(fx("memory/meminfo")).collect(r);
        assertThat(r.ramPercent).isEqualTo(2.76); // (24684092 - 24001624) / 24684092
        assertThat(io.fleetwatch.procfs.MemInfo.usedPercent("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n"))
                .as("old kernels without MemAvailable").isEqualTo(60.0);
    }

    @Test
    void networkIsByteDeltaOverElapsedTimeWithoutLoopback() throws Exception {
        String[] t = Files.readString(fx("network/times")).trim().split(" ");
        long t1 = (long) (Double.parseDouble(t[0]) * 1e9);
        long t2 = (long) (Double.parseDouble(t[1]) * 1e9);
        AtomicLong clock = new AtomicLong(t1);
        Path dev = Files.createTempFile("netdev", "");
        NetworkCollector n = new NetworkCollector(dev, clock::get);
        Reading r = new Reading();
        put("network/netdev.1", dev);
        n.collect(r);
        assertThat(r.networkRecvMbps).isNull();
        clock.set(t2);
        put("network/netdev.2", dev);
        n.collect(r);
        // eth0 received 9 349 566 B and sent 23 221 B between the readings; lo (which also moved) does not count
        double seconds = (t2 - t1) / 1e9;
        assertThat(r.networkRecvMbps).isCloseTo(9_349_566 * 8 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(r.networkSentMbps).isCloseTo(23_221 * 8 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(io.fleetwatch.procfs.NetDev.bytes("Inter-| R\n face |b\n  eth0:216387086 8299 0 0 0 0 0 0 1326626 7370 0 0 0 0 0 0\n"))
                .as("counter touching the colon").containsExactly(216387086L, 1326626L);
        assertThat(io.fleetwatch.procfs.NetDev.mbps(-500, 1.0)).as("counter reset").isZero();
    }

    @Test
    void uptimeIsWholeSeconds() throws Exception {
        Reading r = new Reading();
        new UptimeCollector(fx("uptime/uptime")).collect(r);
        assertThat(r.uptimeSeconds).isEqualTo(7582L);
    }

    @Test
    void usersAreTheUserProcessRecordsOfUtmp() throws Exception {
        Reading r = new Reading();
        new UsersCollector(fx("users/utmp")).collect(r);
        assertThat(r.loggedInUsers).isEqualTo(3); // boot, runlevel and a dead process do not count
        new UsersCollector(fx("users/missing")).collect(r);
        assertThat(r.loggedInUsers).as("no utmp: nobody").isZero();
    }

    @Test
    void diskIsWhatDfPrints() throws Exception {
        String[] f = Files.readString(fx("disk/statvfs")).trim().split(" ");
        long bs = Long.parseLong(f[0]);
        double pct = io.fleetwatch.procfs.Df.percent(bs * Long.parseLong(f[1]), bs * Long.parseLong(f[2]),
                bs * Long.parseLong(f[3]));
        String dfCapacity = Files.readAllLines(fx("disk/df.txt")).get(1).trim().split("\\s+")[4];
        assertThat(pct).isEqualTo(Double.parseDouble(dfCapacity.replace("%", ""))); // 23
        Reading r = new Reading();
        new DiskCollector(Path.of("/")).collect(r);
        assertThat(r.diskPercent).as("this host, live").isBetween(0.0, 100.0);
    }

    @Test
    void gpuIsTheMeanOfTheGpusThatReportAndNullWithoutAny() throws Exception {
        assertThat(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/one-gpu.txt")))).isEqualTo(45.0);
        assertThat(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/four-gpus-one-na.txt")))).isEqualTo(45.67);
        assertThat(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/no-gpu.txt")))).isNull();
        Reading r = new Reading();
        new GpuCollector(null).collect(r);
        assertThat(r.gpuPercent).as("no nvidia-smi: no GPU, not 0").isNull();
    }

    @Test
    void everyRegisteredCollectorHasAFixtureAndAReadmeRow() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (Collector c : CollectorRegistry.forHost(new HostPaths(Path.of("/")), Path.of("/"), System.getenv("PATH"))) {
            try (var files = Files.list(FIXTURES.resolve(c.name()))) {
                assertThat(files.count()).as("fixtures for " + c.name()).isPositive();
            }
            assertThat(readme).as("README row for " + c.name()).contains("| `" + c.name() + "` |");
        }
    }

    @Test
    void procSamplerReadsAHostTreeUnderAnyRoot() throws Exception {
        Path root = Files.createTempDirectory("host");
        Files.createDirectories(root.resolve("proc/net"));
        Files.createDirectories(root.resolve("run"));
        put("cpu/stat.1", root.resolve("proc/stat"));
        put("memory/meminfo", root.resolve("proc/meminfo"));
        put("network/netdev.1", root.resolve("proc/net/dev"));
        put("uptime/uptime", root.resolve("proc/uptime"));
        put("users/utmp", root.resolve("run/utmp"));
        ProcSampler s = new ProcSampler(CollectorRegistry.forHost(new HostPaths(root), Path.of("/"), ""));
        assertThat(s.sample()).isNull();
        put("cpu/stat.2", root.resolve("proc/stat"));
        var m = s.sample();
        assertThat(m.cpuPercent()).isEqualTo(42.26);
        assertThat(m.ramPercent()).isEqualTo(2.76);
        assertThat(m.uptimeSeconds()).isEqualTo(7582L);
        assertThat(m.loggedInUsers()).isEqualTo(3);
        assertThat(m.gpuPercent()).isNull();
    }
}
