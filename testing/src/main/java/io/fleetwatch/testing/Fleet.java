package io.fleetwatch.testing;

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
public final class Fleet implements AutoCloseable {
    /** The {@code fleetwatch} command's entry point (the cli module), on the caller's class path. */
    private static final String MAIN = "io.fleetwatch.cli.Main";

    private final Map<String, String> env;
    private final List<Process> started = new ArrayList<>();

    private final Path logs;

    /**
     * The components' Prometheus ports, off: a test runs several consumers on one host, and tests run beside each
     * other, so the fixed defaults would collide. A test that scrapes one sets its port (a free one) in the extras.
     */
    public static final Map<String, String> METRICS_OFF = Map.of("FLEETWATCH_CONSUMER_METRICS_PORT", "0",
            "FLEETWATCH_RELAY_METRICS_PORT", "0", "FLEETWATCH_SCHEDULER_METRICS_PORT", "0",
            "FLEETWATCH_COLLECTOR_METRICS_PORT", "0", "FLEETWATCH_AGENT_METRICS_PORT", "0");

    public Fleet(Map<String, String> env) {
        this(env, Path.of("target/reliability-logs"));
    }

    public Fleet(Map<String, String> env, Path logs) {
        this.env = Map.copyOf(env);
        this.logs = logs;
    }

    /** Starts {@code fleetwatch ARGS…} with the fleet's environment plus {@code extra}. */
    public Process start(String name, Map<String, String> extra, String... args) throws IOException {
        return start(name, List.of(), extra, args);
    }

    /** As {@link #start(String, Map, String...)}, with JVM options (system properties, heap) before the class. */
    public Process start(String name, List<String> jvm, Map<String, String> extra, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx256m"));
        cmd.addAll(jvm);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MAIN));
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        File log = logs.resolve(name + ".log").toFile();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log));
        pb.environment().putAll(env);
        METRICS_OFF.forEach(pb.environment()::putIfAbsent);
        pb.environment().putAll(extra);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Runs {@code fleetwatch ARGS…} to completion and returns its standard output; a non-zero exit throws. */
    public String output(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), MAIN));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("fleetwatch " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }

    /** SIGKILL: no shutdown hook, no flush, no ack; what a power cut or the OOM killer does. */
    public static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM, then waits for the exit code (the drain has {@code seconds} to finish). */
    public static int stop(Process p, int seconds) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not stop within " + seconds + " s of SIGTERM");
        }
        return p.exitValue();
    }

    /** Resident set size of a process, from /proc (kB). */
    public static long rssKb(Process p) throws IOException {
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
    public record Host(String hostId, Path root, Path state) {
        public static Host create(Path dir, String hostname) throws IOException {
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
        public long lastSeq() throws IOException {
            Path f = state.resolve("seq");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
        }

        public long spoolDropped() throws IOException {
            Path f = state.resolve("spool/dropped");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
        }
    }

    /** Starts {@code fleetwatch agent} as {@code host}, sampling every {@code interval}, with {@code extra} env. */
    public Process agent(String name, Host host, String interval, Map<String, String> extra) throws IOException {
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
