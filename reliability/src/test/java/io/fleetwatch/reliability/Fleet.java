package io.fleetwatch.reliability;

import io.fleetwatch.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fleetwatch components as real operating-system processes ({@code fleetwatch consume}, {@code relay}, {@code agent}),
 * so a test can kill one with SIGKILL as a crash would, or stop it with SIGTERM as systemd does. Output goes to
 * target/reliability-logs/NAME.log.
 */
final class Fleet implements AutoCloseable {
    private final Map<String, String> env;
    private final List<Process> started = new ArrayList<>();

    Fleet(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Starts {@code fleetwatch ARGS…} with the fleet's environment plus {@code extra}. */
    Process start(String name, Map<String, String> extra, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path logs = Path.of("target/reliability-logs");
        Files.createDirectories(logs);
        File log = logs.resolve(name + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.environment().putAll(env);
        pb.environment().putAll(extra);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** SIGKILL: no shutdown hook, no flush, no ack; what a power cut or the OOM killer does. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit code (the drain has {@code seconds} to finish). */
    static int stop(Process p, int seconds) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not stop within " + seconds + " s of SIGTERM");
        }
        return p.exitValue();
    }

    /** Resident set size of a process, from /proc (kB). */
    static long rssKb(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }
}
