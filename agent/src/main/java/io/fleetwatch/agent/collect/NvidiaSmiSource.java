package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.NvidiaSmi;
import io.fleetwatch.sampling.Source;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code gpu_percent}, {@code gpu_memory_usage} and {@code gpu_temperature} on every OS (OSHI reads none of them), in
 * one run of {@code nvidia-smi --query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu
 * --format=csv,noheader,nounits} (parsed by procfs' {@code NvidiaSmi}). No nvidia-smi, or no GPU, reads null ("no
 * GPU"), never 0; a field a GPU reports as "[N/A]" is left out.
 */
public final class NvidiaSmiSource implements Source<NvidiaSmi.Gpus> {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Path nvidiaSmi;

    /** {@code nvidiaSmi}: the executable, or null where none is installed. */
    public NvidiaSmiSource(Path nvidiaSmi) {
        this.nvidiaSmi = nvidiaSmi;
    }

    /** Finds nvidia-smi (nvidia-smi.exe on Windows) on PATH. */
    public static NvidiaSmiSource fromPath(String pathEnv) {
        if (pathEnv != null) {
            for (String dir : pathEnv.split(File.pathSeparator)) {
                for (String name : List.of("nvidia-smi", "nvidia-smi.exe")) {
                    Path p = Path.of(dir, name);
                    if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                        return new NvidiaSmiSource(p);
                    }
                }
            }
        }
        return new NvidiaSmiSource(null);
    }

    @Override
    public String describe() {
        return nvidiaSmi == null ? "nvidia-smi (none installed)" : "nvidia-smi";
    }

    @Override
    public NvidiaSmi.Gpus read() throws IOException {
        if (nvidiaSmi == null) {
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(nvidiaSmi.toString()));
        cmd.addAll(NvidiaSmi.QUERY);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        try {
            if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("nvidia-smi did not answer within " + TIMEOUT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for nvidia-smi", e);
        }
        return p.exitValue() == 0
                ? NvidiaSmi.read(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                : null;
    }
}
