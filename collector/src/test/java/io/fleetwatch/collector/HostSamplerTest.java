package io.fleetwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.MetricsMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The remote command's real output, captured twice on a Debian 12 VM one second apart, under load and while writing a
 * file with fsync (see the README of the fixtures).
 */
class HostSamplerTest {
    static String fixture(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/fixtures").resolve(name));
    }

    @Test
    void ratesNeedTwoReadingsAndEverythingElseComesFromTheOutput() throws Exception {
        HostSampler s = new HostSampler(HostTarget.parse("root@127.0.0.1:2222", "fleetwatch"));
        Instant at = Instant.parse("2026-11-22T15:20:00Z");
        assertThat(s.sample(fixture("remote-1.txt"), 0, at)).as("first reading primes").isNull();
        MetricsMessage m = s.sample(fixture("remote-2.txt"), 1_100_000_000L, at);
        long[] a = io.fleetwatch.procfs.ProcStat.ticks(RemoteScript.sections(fixture("remote-1.txt")).get("stat"));
        long[] b = io.fleetwatch.procfs.ProcStat.ticks(RemoteScript.sections(fixture("remote-2.txt")).get("stat"));
        assertThat(m.metrics().cpuPercent()).isEqualTo(
                io.fleetwatch.sampling.Sampler.cpuPercent(a, b)).isPositive();
        assertThat(m.metrics().diskPercent()).isEqualTo(23.0);
        assertThat(m.metrics().loggedInUsers()).isZero();
        assertThat(m.metrics().gpuPercent()).as("no nvidia-smi on that host").isNull();
        assertThat(m.metrics().uptimeSeconds()).isPositive();
        assertThat(m.hostId()).isEqualTo("3d1219c7c4c5404aaa1f6d2a48adfda4");
        assertThat(m.hostname()).isEqualTo("vm");
        assertThat(m.collectedAt()).isEqualTo(at);
    }

    @Test
    void theMetricsBeyondTheFirstEightComeFromTheSameOutputThroughTheSameParsers() throws Exception {
        HostSampler s = new HostSampler(HostTarget.parse("root@127.0.0.1:2222", "fleetwatch"));
        Instant at = Instant.parse("2026-12-07T03:20:00Z");
        String one = fixture("remote-1.txt");
        String two = fixture("remote-2.txt");
        assertThat(s.collect(one, 0, at)).isNull();
        var e = s.collect(two, 1_000_000_000L, at).extra();
        var b = RemoteScript.sections(two);
        double[] load = io.fleetwatch.procfs.LoadAvg.averages(b.get("loadavg"));
        assertThat(e.loadAvg1()).isEqualTo(load[0]).isPositive();
        assertThat(e.loadAvg15()).isEqualTo(load[2]);
        assertThat(e.swapUsage()).as("no swap on that host").isNull();
        long[] w1 = io.fleetwatch.procfs.DiskStats.bytes(RemoteScript.sections(one).get("diskstats"));
        long[] w2 = io.fleetwatch.procfs.DiskStats.bytes(b.get("diskstats"));
        assertThat(e.diskWriteMbps()).as("a file written with fsync between the two")
                .isEqualTo(io.fleetwatch.sampling.Sampler.megabytesPerSecond(w1[1], w2[1], 1.0)).isGreaterThan(1.0);
        assertThat(e.cpuTemperature()).as("a VM without sensors").isNull();
        assertThat(e.gpuMemoryUsage()).isNull();
        assertThat(e.gpuTemperature()).isNull();
        assertThat(e.processCount()).isEqualTo(io.fleetwatch.procfs.Processes.count(b.get("proc"))).isGreaterThan(10);
        assertThat(e.filesystems()).extracting(io.fleetwatch.sampling.FilesystemUsage::mount).containsExactly("/");
        assertThat(e.filesystems().get(0).usagePercent()).isEqualTo(s.sample(two, 2_000_000_000L, at).metrics()
                .diskPercent());
    }

    @Test
    void theSensorLoopsReadTheCpuSensorsAndNoOther(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // the command itself, run by sh here with /sys/class under a tree built from the two-socket Intel capture
        String capture = Files.readString(Path.of("../procfs/src/test/resources/fixtures/temperature/coretemp-two-packages.txt"));
        for (var e : io.fleetwatch.procfs.Thermal.fromGrep(capture).entrySet()) {
            Path f = tmp.resolve(e.getKey().substring(1));
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue() + "\n");
        }
        Process p = new ProcessBuilder("sh", "-c", RemoteScript.COMMAND.replace("/sys/class/", tmp + "/sys/class/"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        String sensors = RemoteScript.sections(out).get("sensors");
        assertThat(sensors).contains("Package id 1").contains("x86_pkg_temp")
                .as("the NVMe drive and the ACPI zone are not read").doesNotContain("38850").doesNotContain("acpitz");
        var files = new java.util.LinkedHashMap<String, String>();
        io.fleetwatch.procfs.Thermal.fromGrep(sensors).forEach((k, v) -> files.put(k.substring(tmp.toString().length()), v));
        assertThat(io.fleetwatch.procfs.Thermal.cpuCelsius(files)).isEqualTo(61.0);
    }

    @Test
    void aCutShortOutputIsAnErrorNotAZero() throws Exception {
        String cut = fixture("remote-1.txt").substring(0, 300);
        assertThatThrownBy(() -> RemoteScript.sections(cut)).hasMessageContaining("no @@end marker");
    }

    @Test
    void targets() {
        assertThat(HostTarget.parse("lab-pc-01", "fleetwatch")).isEqualTo(new HostTarget("lab-pc-01", 22, "fleetwatch", null));
        assertThat(HostTarget.parse("ops@198.18.0.7:2200", "x")).isEqualTo(new HostTarget("198.18.0.7", 2200, "ops", null));
        assertThat(HostTarget.parse("ops@198.18.0.7:2200", "x").knownHostsName()).isEqualTo("[198.18.0.7]:2200");
        assertThatThrownBy(() -> HostTarget.parse("h:ssh", "x")).hasMessageContaining("'ssh' is not a port");
    }

    @Test
    void theCommandIsWhatTheFixturesWereMadeWith() throws Exception {
        assertThat(fixture("command.txt").strip()).isEqualTo(RemoteScript.COMMAND);
    }
}
