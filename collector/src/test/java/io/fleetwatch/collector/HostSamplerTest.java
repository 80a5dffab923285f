package io.fleetwatch.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.MetricsMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The remote command's real output, captured twice on a Debian 12 host one second apart, under load. */
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
