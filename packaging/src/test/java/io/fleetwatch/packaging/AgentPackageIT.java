package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The fleetwatch-agent .deb: its metadata and contents with dpkg-deb, then (as root, where dpkg works) a real install,
 * a run of the installed agent, and a purge that leaves nothing behind.
 */
class AgentPackageIT {

    static Path deb() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("fleetwatch-agent_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no fleetwatch-agent .deb in target/"));
        }
    }

    record Run(int code, String out) {}

    static Run run(String... cmd) throws Exception {
        File log = File.createTempFile("cmd", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", cmd));
        }
        return new Run(p.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }

    @Test
    void metadataAndContents() throws Exception {
        Path deb = deb();
        String info = run("dpkg-deb", "-I", deb.toString()).out();
        assertThat(info).contains("Package: fleetwatch-agent").contains("Architecture: all")
                .contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless");
        assertThat(info).containsPattern("\\*\\s+postinst").containsPattern("\\*\\s+prerm").containsPattern("\\*\\s+postrm");
        String conffiles = run("dpkg-deb", "-f", deb.toString(), "Package").out();
        assertThat(conffiles.trim()).isEqualTo("fleetwatch-agent");

        String contents = run("dpkg-deb", "-c", deb.toString()).out();
        assertThat(contents).contains("./usr/bin/fleetwatch-agent", "./lib/systemd/system/fleetwatch-agent.service",
                "./etc/fleetwatch/agent.env", "./usr/share/fleetwatch-agent/lib/fleetwatch-agent-",
                "./usr/share/fleetwatch-agent/lib/oshi-core-", "./usr/share/fleetwatch-agent/lib/amqp-client-",
                "./usr/share/fleetwatch-agent/jvm.options");
        assertThat(contents).as("the agent's own closure only").doesNotContain("micronaut", "postgresql", "netty",
                "HikariCP", "flyway", "picocli");
        assertThat(contents).containsPattern("-rw-r----- root/root .* \\./etc/fleetwatch/agent\\.env")
                .containsPattern("-rwxr-xr-x root/root .* \\./usr/bin/fleetwatch-agent");

        Path x = Files.createTempDirectory("deb");
        assertThat(run("dpkg-deb", "-x", deb.toString(), x.toString()).code()).isZero();
        String unit = Files.readString(x.resolve("lib/systemd/system/fleetwatch-agent.service"));
        assertThat(unit).contains("User=fleetwatch-agent", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "StateDirectory=fleetwatch-agent", "EnvironmentFile=/etc/fleetwatch/agent.env",
                "WantedBy=multi-user.target");
        Path ctl = Files.createTempDirectory("ctl");
        assertThat(run("dpkg-deb", "-e", deb.toString(), ctl.toString()).code()).isZero();
        assertThat(Files.readString(ctl.resolve("conffiles")).trim()).isEqualTo("/etc/fleetwatch/agent.env");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(run("sh", "-n", ctl.resolve(script).toString()).code()).as(script + " parses").isZero();
        }
        assertThat(Files.readString(ctl.resolve("postrm"))).contains("purge)", "deluser", "rm -rf /var/lib/fleetwatch-agent");
    }

    @Test
    void installRunAndPurge() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean dpkg = run("sh", "-c", "command -v dpkg && test -w /var/lib/dpkg/status").code() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(root && dpkg,
                "needs root and a writable dpkg database (CI runs as root)");
        run("dpkg", "--purge", "fleetwatch-agent"); // a leftover from an interrupted run
        Run install = run("dpkg", "-i", deb().toString());
        assertThat(install.code()).as(install.out()).isZero();
        try {
            assertThat(run("getent", "passwd", "fleetwatch-agent").code()).isZero();
            assertThat(run("stat", "-c", "%U:%G %a", "/var/lib/fleetwatch-agent").out().trim())
                    .isEqualTo("fleetwatch-agent:fleetwatch-agent 750");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/fleetwatch/agent.env").out().trim())
                    .isEqualTo("root:fleetwatch-agent 640");
            assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/fleetwatch-agent.service"))
                    .as("enabled on install").exists();
            Run once = run("/usr/bin/fleetwatch-agent", "--once");
            assertThat(once.code()).as(once.out()).isZero();
            assertThat(once.out()).contains("\"host_id\"").contains("\"uptime_seconds\"");
            assertThat(run("/usr/bin/fleetwatch-agent", "--version").out()).startsWith("fleetwatch-agent ");
            Run bad = run("env", "FLEETWATCH_AGENT_INTERVAL=sometimes", "/usr/bin/fleetwatch-agent", "--once");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.out().trim()).isEqualTo(
                    "fleetwatch-agent: FLEETWATCH_AGENT_INTERVAL: 'sometimes' is not a duration (e.g. 10s, 500ms, 1m)");
        } finally {
            Run purge = run("dpkg", "--purge", "fleetwatch-agent");
            assertThat(purge.code()).as(purge.out()).isZero();
        }
        assertThat(run("getent", "passwd", "fleetwatch-agent").code()).as("user removed").isNotZero();
        assertThat(Path.of("/var/lib/fleetwatch-agent")).doesNotExist();
        assertThat(Path.of("/etc/fleetwatch/agent.env")).doesNotExist();
        assertThat(Path.of("/usr/bin/fleetwatch-agent")).doesNotExist();
        assertThat(Path.of("/etc/systemd/system/multi-user.target.wants/fleetwatch-agent.service")).doesNotExist();
    }
}
