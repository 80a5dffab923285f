package io.fleetwatch.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stops and starts this machine's real RabbitMQ and PostgreSQL (the Debian services that scripts/services runs). Tests
 * that use it restore the service in a finally block; they run one at a time (Maven runs this module's tests
 * sequentially, after every other module's).
 */
final class LocalServices {
    private LocalServices() {}

    /** Stops the RabbitMQ application (the node stays up, every connection is closed, the port refuses). */
    static void stopRabbit() throws Exception {
        run("rabbitmqctl", "-q", "stop_app");
    }

    static void startRabbit() throws Exception {
        run("rabbitmqctl", "-q", "start_app");
        run("rabbitmqctl", "-q", "await_startup");
    }

    static void stopPostgres() throws Exception {
        run("pg_ctlcluster", "--skip-systemctl-redirect", postgresVersion(), "main", "stop", "-m", "fast");
    }

    static void startPostgres() throws Exception {
        run("pg_ctlcluster", "--skip-systemctl-redirect", postgresVersion(), "main", "start");
    }

    private static String postgresVersion() throws IOException {
        try (var s = java.nio.file.Files.list(java.nio.file.Path.of("/etc/postgresql"))) {
            return s.map(p -> p.getFileName().toString()).sorted().reduce((a, b) -> b)
                    .orElseThrow(() -> new IOException("no PostgreSQL cluster under /etc/postgresql"));
        }
    }

    static boolean canControl() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out.strip());
        }
    }
}
