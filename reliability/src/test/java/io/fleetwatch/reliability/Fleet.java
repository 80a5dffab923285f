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
        return start(name, List.of(), extra, args);
    }

    /** As {@link #start(String, Map, String...)}, with JVM options (system properties, heap) before the class. */
    Process start(String name, List<String> jvm, Map<String, String> extra, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path logs = Path.of("target/reliability-logs");
        Files.createDirectories(logs);
        File log = logs.resolve(name + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log));
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

    /**
     * A managed host for an agent process: a root directory whose {@code proc}, {@code sys} and {@code run} are this
     * machine's, with its own {@code etc/machine-id} and {@code etc/hostname}, so several agents on one machine are
     * several hosts with real metrics. Its state directory (sequence, spool) is {@code dir/state}.
     */
    record Host(String hostId, Path root, Path state) {
        static Host create(Path dir, String hostname) throws IOException {
            Path root = dir.resolve("root");
            Files.createDirectories(root.resolve("etc"));
            for (String linked : List.of("proc", "sys", "run")) {
                Path l = root.resolve(linked);
                if (!Files.exists(l, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createSymbolicLink(l, Path.of("/", linked));
                }
            }
            String id = java.util.UUID.nameUUIDFromBytes(hostname.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toString().replace("-", "");
            Files.writeString(root.resolve("etc/machine-id"), id + "\n");
            Files.writeString(root.resolve("etc/hostname"), hostname + "\n");
            return new Host(id, root, dir.resolve("state"));
        }

        /** The agent's last sequence number: every sample it ever took, when numbering started at 1. */
        long lastSeq() throws IOException {
            Path f = state.resolve("seq");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
        }

        long spoolDropped() throws IOException {
            Path f = state.resolve("spool/dropped");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
        }
    }

    /** Starts {@code fleetwatch agent} as {@code host}, sampling every {@code interval}, with {@code extra} env. */
    Process agent(String name, Host host, String interval, Map<String, String> extra) throws IOException {
        Map<String, String> e = new java.util.HashMap<>(extra);
        e.put("FLEETWATCH_AGENT_INTERVAL", interval);
        e.put("FLEETWATCH_AGENT_JITTER", "false");
        e.put("FLEETWATCH_AGENT_STATE_DIR", host.state().toString());
        return start(name, List.of("-Dfleetwatch.host.root=" + host.root()), e, "agent");
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }
}
