package io.fleetwatch.agent.collect;

import io.fleetwatch.procfs.NvidiaSmi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code gpu_percent}: mean utilisation over all GPUs from {@code nvidia-smi
 * --query-gpu=utilization.gpu --format=csv,noheader,nounits}. No nvidia-smi, or no GPU, leaves it null ("no GPU"),
 * never 0; a GPU reporting "[N/A]" is left out of the mean.
 */
public final class GpuCollector implements Collector {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Path nvidiaSmi;

    /** {@code nvidiaSmi}: the executable, or null where none is installed. */
    public GpuCollector(Path nvidiaSmi) {
        this.nvidiaSmi = nvidiaSmi;
    }

    /** Finds nvidia-smi on PATH. */
    public static GpuCollector fromPath(String pathEnv) {
        if (pathEnv != null) {
            for (String dir : pathEnv.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, "nvidia-smi");
                if (Files.isExecutable(p)) {
                    return new GpuCollector(p);
                }
            }
        }
        return new GpuCollector(null);
    }

    @Override
    public String name() {
        return "gpu";
    }

    @Override
    public void collect(Reading r) throws IOException {
        if (nvidiaSmi == null) {
            return;
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(nvidiaSmi.toString()));
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
        if (p.exitValue() == 0) {
            r.gpuPercent = NvidiaSmi.meanUtilisation(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
