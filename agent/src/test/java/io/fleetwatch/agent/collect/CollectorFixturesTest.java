package io.fleetwatch.agent.collect;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.sampling.Sampler;
import io.fleetwatch.sampling.Source;
import io.fleetwatch.sampling.Sources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Fleetwatch's own readers against real captured files, through the sampling core; expected values worked out by
 * hand from those files.
 */
class CollectorFixturesTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    /** The procfs parsers' captures, where the sources of the metrics beyond the first eight have theirs. */
    static final Path PARSER_FIXTURES = Path.of("../procfs/src/test/resources/fixtures");

    static Path fx(String rel) {
        return FIXTURES.resolve(rel);
    }

    private static void put(String fixture, Path target) throws Exception {
        Files.copy(fx(fixture), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** A host tree under a temporary root holding the first capture of every file. */
    private static HostPaths host() throws Exception {
        Path root = Files.createTempDirectory("host");
        Files.createDirectories(root.resolve("proc/net"));
        Files.createDirectories(root.resolve("run"));
        put("cpu/stat.1", root.resolve("proc/stat"));
        put("memory/meminfo", root.resolve("proc/meminfo"));
        put("network/netdev.1", root.resolve("proc/net/dev"));
        put("uptime/uptime", root.resolve("proc/uptime"));
        put("users/utmp", root.resolve("run/utmp"));
        Files.copy(PARSER_FIXTURES.resolve("load/loadavg"), root.resolve("proc/loadavg"));
        Files.copy(PARSER_FIXTURES.resolve("diskio/diskstats.1"), root.resolve("proc/diskstats"));
        Files.copy(PARSER_FIXTURES.resolve("filesystems/mounts"), root.resolve("proc/mounts"));
        return new HostPaths(root);
    }

    @Test
    void cpuIsBusyTicksOverAllTicksBetweenTwoReadings() throws Exception {
        // cpu line deltas: user 99, nice 0, system 12, idle 153, iowait 0, irq 0, softirq 1, steal 0 -> 112 / 265
        HostPaths h = host();
        LocalSampler s = new LocalSampler(ProcSources.all(h, Path.of("/"), ""), System::nanoTime);
        assertThat(s.sample()).as("first reading only primes").isNull();
        put("cpu/stat.2", h.procStat());
        assertThat(s.sample().cpuPercent()).isEqualTo(42.26);
    }

    @Test
    void memoryIsTotalMinusAvailable() throws Exception {
        assertThat(Sampler.percent(ProcSources.ramPercent(host()).read())).isEqualTo(2.76); // (24684092 - 24001624) / 24684092
        assertThat(io.fleetwatch.procfs.MemInfo.usedPercent("MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n"))
                .as("old kernels without MemAvailable").isEqualTo(60.0);
    }

    @Test
    void networkIsByteDeltaOverElapsedTimeWithoutLoopback() throws Exception {
        String[] t = Files.readString(fx("network/times")).trim().split(" ");
        long t1 = (long) (Double.parseDouble(t[0]) * 1e9);
        long t2 = (long) (Double.parseDouble(t[1]) * 1e9);
        AtomicLong clock = new AtomicLong(t1);
        HostPaths h = host();
        LocalSampler n = new LocalSampler(ProcSources.all(h, Path.of("/"), ""), clock::get);
        assertThat(n.sample()).as("first reading only primes").isNull();
        clock.set(t2);
        put("network/netdev.2", h.procNetDev());
        MetricsMessage.Metrics r = n.sample();
        // eth0 received 9 349 566 B and sent 23 221 B between the readings; lo (which also moved) does not count
        double seconds = (t2 - t1) / 1e9;
        assertThat(r.networkRecvMbps()).isCloseTo(9_349_566 * 8 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(r.networkSentMbps()).isCloseTo(23_221 * 8 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(io.fleetwatch.procfs.NetDev.bytes("Inter-| R\n face |b\n  eth0:216387086 8299 0 0 0 0 0 0 1326626 7370 0 0 0 0 0 0\n"))
                .as("counter touching the colon").containsExactly(216387086L, 1326626L);
        assertThat(Sampler.mbps(-500, 1.0)).as("counter reset").isZero();
    }

    @Test
    void uptimeIsWholeSeconds() throws Exception {
        assertThat(ProcSources.uptimeSeconds(host()).read()).isEqualTo(7582L);
    }

    @Test
    void usersAreTheUserProcessRecordsOfUtmp() throws Exception {
        HostPaths h = host();
        assertThat(ProcSources.loggedInUsers(h).read()).isEqualTo(3); // boot, runlevel and a dead process do not count
        Files.delete(h.utmp());
        assertThat(ProcSources.loggedInUsers(h).read()).as("no utmp: nobody").isZero();
    }

    @Test
    void diskIsWhatDfPrints() throws Exception {
        String[] f = Files.readString(fx("disk/statvfs")).trim().split(" ");
        long bs = Long.parseLong(f[0]);
        double pct = Sampler.percent(io.fleetwatch.procfs.Df.percent(bs * Long.parseLong(f[1]), bs * Long.parseLong(f[2]),
                bs * Long.parseLong(f[3])));
        String dfCapacity = Files.readAllLines(fx("disk/df.txt")).get(1).trim().split("\\s+")[4];
        assertThat(pct).isEqualTo(Double.parseDouble(dfCapacity.replace("%", ""))); // 23
        assertThat(ProcSources.diskPercent(Path.of("/")).read()).as("this host, live").isBetween(0.0, 100.0);
    }

    @Test
    void gpuIsTheMeanOfTheGpusThatReportAndNullWithoutAny() throws Exception {
        assertThat(Sampler.percent(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/one-gpu.txt"))))).isEqualTo(45.0);
        assertThat(Sampler.percent(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/four-gpus-one-na.txt"))))).isEqualTo(45.67);
        assertThat(io.fleetwatch.procfs.NvidiaSmi.meanUtilisation(Files.readString(fx("gpu/no-gpu.txt")))).isNull();
        assertThat(new NvidiaSmiSource(null).read()).as("no nvidia-smi: no GPU, not 0").isNull();
    }

    @Test
    void everyMetricsSourceHasAFixtureAndAReadmeRow() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (String name : ProcSources.all(new HostPaths(Path.of("/")), Path.of("/"), System.getenv("PATH")).byName().keySet()) {
            Path dir = Files.isDirectory(FIXTURES.resolve(name)) ? FIXTURES.resolve(name) : PARSER_FIXTURES.resolve(name);
            try (var files = Files.list(dir)) {
                assertThat(files.count()).as("fixtures for " + name).isPositive();
            }
            assertThat(readme).as("README row for " + name).contains("| `" + name + "` |");
        }
    }

    @Test
    void procSourcesReadAHostTreeUnderAnyRoot() throws Exception {
        HostPaths h = host();
        LocalSampler s = new LocalSampler(ProcSources.all(h, Path.of("/"), ""), System::nanoTime);
        assertThat(s.sample()).isNull();
        put("cpu/stat.2", h.procStat());
        var m = s.sample();
        assertThat(m.cpuPercent()).isEqualTo(42.26);
        assertThat(m.ramPercent()).isEqualTo(2.76);
        assertThat(m.uptimeSeconds()).isEqualTo(7582L);
        assertThat(m.loggedInUsers()).isEqualTo(3);
        assertThat(m.gpuPercent()).isNull();
    }

    @Test
    void aFailingSourceNamesTheMetricAndTheImplementation() {
        Sources broken = new Sources(Source.of("test cpu", () -> {
            throw new java.io.IOException("unreadable");
        }), Source.of("m", () -> 1.0), Source.of("d", () -> 1.0), Source.of("n", () -> new long[2]),
                Source.of("g", () -> null), Source.of("u", () -> 1L), Source.of("w", () -> 0));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LocalSampler(broken, System::nanoTime).sample())
                .hasMessageContaining("cpu (test cpu) failed: unreadable");
    }

    private static Path parserFixture(String rel) {
        return PARSER_FIXTURES.resolve(rel);
    }

    private static void putParserFixture(String fixture, Path target) throws Exception {
        Files.createDirectories(target.getParent());
        Files.copy(parserFixture(fixture), target, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void loadSwapAndProcessesFromTheCapturedFiles() throws Exception {
        HostPaths h = host();
        putParserFixture("load/loadavg", h.procLoadavg());
        assertThat(ProcSources.loadAverage(h).read()).containsExactly(1.96, 0.92, 0.36);
        assertThat(ProcSources.swapPercent(h).read()).as("the captured host has no swap").isNull();
        putParserFixture("swap/meminfo-swap", h.procMeminfo());
        assertThat(Sampler.percent(ProcSources.swapPercent(h).read())).isEqualTo(25.0);
        // the captured listing of /proc, as entries of a directory
        for (String name : Files.readAllLines(parserFixture("processes/proc-ls"))) {
            if (!Files.exists(h.proc().resolve(name))) {
                Files.createDirectory(h.proc().resolve(name));
            }
        }
        assertThat(ProcSources.processCount(h).read()).isEqualTo(111);
    }

    @Test
    void diskIoIsAByteRateOfTheWholeDisksBetweenTwoReadings() throws Exception {
        String[] t = Files.readString(parserFixture("diskio/times")).trim().split("\\s+");
        AtomicLong clock = new AtomicLong(new java.math.BigDecimal(t[0]).movePointRight(9).longValueExact());
        HostPaths h = host();
        LocalSampler s = new LocalSampler(ProcSources.all(h, Path.of("/"), ""), clock::get);
        assertThat(s.sampleAll()).isNull();
        long t2 = new java.math.BigDecimal(t[1]).movePointRight(9).longValueExact();
        double seconds = (t2 - clock.get()) / 1e9;
        clock.set(t2);
        putParserFixture("diskio/diskstats.2", h.procDiskstats());
        var e = s.sampleAll().extra();
        // vda wrote 131 112 sectors (64 MiB of dd and the file system's own) in 55 ms
        assertThat(e.diskWriteMbps()).isCloseTo(131_112 * 512 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(e.diskReadMbps()).isCloseTo(176 * 512 / 1e6 / seconds, Offset.offset(0.01));
        assertThat(e.loadAvg15()).isEqualTo(0.36);
    }

    /** A sysfs tree holding the files of a {@code grep -H .} capture. */
    private static HostPaths sensors(String fixture) throws Exception {
        Path root = Files.createTempDirectory("sensors");
        HostPaths h = new HostPaths(root);
        for (var e : io.fleetwatch.procfs.Thermal.fromGrep(Files.readString(parserFixture("temperature/" + fixture)))
                .entrySet()) {
            Files.createDirectories(h.host(e.getKey()).getParent());
            Files.writeString(h.host(e.getKey()), e.getValue() + "\n");
        }
        return h;
    }

    @Test
    void cpuTemperatureIsThePackageSensorFoundOnceThenReadAlone() throws Exception {
        HostPaths h = sensors("coretemp-two-packages.txt");
        ThermalSource src = new ThermalSource(h);
        assertThat(src.read()).isEqualTo(61.0);
        Files.writeString(h.host("/sys/class/hwmon/hwmon2/temp1_input"), "70500\n");
        Files.writeString(h.host("/sys/class/hwmon/hwmon3/temp2_label"), "Package id 9\n"); // not read again
        assertThat(src.read()).isEqualTo(70.5);
        Files.delete(h.host("/sys/class/hwmon/hwmon2/temp1_input"));
        assertThat(src.read()).as("a sensor gone: chosen again").isEqualTo(66.0);
        assertThat(new ThermalSource(sensors("k10temp.txt")).read()).isEqualTo(48.75);
        assertThat(new ThermalSource(sensors("raspberry-pi.txt")).read()).isEqualTo(48.686);
        assertThat(new ThermalSource(sensors("this-vm.txt")).read()).as("no sensor: none, not 0").isNull();
    }

    @Test
    void filesystemsAreTheRealMountsThroughStatvfs() throws Exception {
        HostPaths h = host();
        putParserFixture("filesystems/mounts-layered", h.procMounts());
        for (String m : new String[] {"boot/efi", "srv/lab data"}) {
            Files.createDirectories(h.resolve(m));
        }
        var fs = ProcSources.filesystems(h).read();
        assertThat(fs).extracting(io.fleetwatch.sampling.FilesystemUsage::mount)
                .containsExactly("/", "/boot/efi", "/srv/lab data");
        // all three directories lie on the test's own file system here: statvfs of that, as df prints it
        java.io.File tmp = h.root().toFile();
        assertThat(fs.get(0).sizeBytes()).isEqualTo(tmp.getTotalSpace());
        assertThat(fs.get(0).usagePercent()).isEqualTo(
                io.fleetwatch.procfs.Df.percent(tmp.getTotalSpace(), tmp.getFreeSpace(), tmp.getUsableSpace()));
        assertThat(ProcSources.filesystems(HostPaths.system()).read()).as("this host, live")
                .extracting(io.fleetwatch.sampling.FilesystemUsage::mount).contains("/");
    }
}
