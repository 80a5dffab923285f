package io.fleetwatch.scanner;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code icmp} probe's last resort when this process may open neither an ICMP datagram nor a raw socket: the
 * system's {@code fping} (setuid or with capabilities from its package), given the batch on standard input and the
 * policy's rate, retries and timeout. Reports {@code ping} as the probe that found a host.
 */
final class ExternalPing {
    private final String fping;
    private final ScanPolicy policy;
    private long sent;

    private ExternalPing(String fping, ScanPolicy policy) {
        this.fping = fping;
        this.policy = policy;
    }

    static Optional<ExternalPing> find(ScanPolicy policy) {
        for (String p : List.of("/usr/bin/fping", "/usr/sbin/fping", "/bin/fping")) {
            if (new File(p).canExecute()) {
                return Optional.of(new ExternalPing(p, policy));
            }
        }
        return Optional.empty();
    }

    Set<String> probe(int[] batch) throws IOException, InterruptedException {
        long intervalMs = Math.max(1, 1000L / policy.packetsPerSecond());
        List<String> cmd = new ArrayList<>(List.of(fping, "-a", "-q", "-r", String.valueOf(policy.retries()),
                "-t", String.valueOf(policy.probeTimeout().toMillis()), "-i", String.valueOf(intervalMs)));
        sent += batch.length;
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        StringBuilder in = new StringBuilder();
        for (int a : batch) {
            in.append(Ipv4.format(a)).append('\n');
        }
        try (var os = p.getOutputStream()) {
            os.write(in.toString().getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(fping + " did not finish within 60 s");
        }
        Set<String> alive = new LinkedHashSet<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                alive.add(line.strip());
            }
        }
        return alive;
    }

    long sent() {
        return sent;
    }
}
