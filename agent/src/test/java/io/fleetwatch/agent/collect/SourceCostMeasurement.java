package io.fleetwatch.agent.collect;

import io.fleetwatch.agent.HostPaths;
import io.fleetwatch.sampling.Source;
import io.fleetwatch.sampling.Sources;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import oshi.SystemInfo;

/**
 * What each source costs per read on this host, OSHI against Fleetwatch's own reader: CPU time and bytes allocated
 * by the reading thread. A measurement, not a check: its name keeps it out of the test run (no skipped test in CI);
 * run it on its own with {@code ./mvnw -B -q -pl agent -am verify -Dtest=SourceCostMeasurement -Dit.test=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}.
 * Reads are 310 ms apart, as in the agent (OSHI caches some figures for 300 ms; a tight loop would time its cache).
 */
class SourceCostMeasurement {
    static final int WARMUP = 200;
    static final int READS = 20;

    @Test
    void costPerRead() throws Exception {
        Path mount = Path.of("/");
        Sources oshi = new OshiSources(new SystemInfo()).all(mount, "");
        Sources proc = ProcSources.all(HostPaths.system(), mount, "");
        System.out.println("| metric | OSHI: CPU µs / read | OSHI: bytes / read | own reader: CPU µs / read | own reader: bytes / read |");
        System.out.println("|---|---|---|---|---|");
        for (Map.Entry<String, Source<?>> e : oshi.byName().entrySet()) {
            if (e.getKey().equals("gpu")) {
                continue; // nvidia-smi in both
            }
            long[] o = cost(e.getValue());
            long[] p = cost(proc.byName().get(e.getKey()));
            System.out.printf("| %s (%s vs %s) | %.1f | %d | %.1f | %d |%n", e.getKey(), e.getValue().describe(),
                    proc.byName().get(e.getKey()).describe(), o[0] / 1000.0, o[1], p[0] / 1000.0, p[1]);
        }
    }

    /** {CPU ns, bytes allocated} per read, medians over {@link #READS} reads after a warm-up. */
    static long[] cost(Source<?> s) throws Exception {
        var bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < WARMUP; i++) {
            s.read();
        }
        long[] cpu = new long[READS];
        long[] bytes = new long[READS];
        for (int i = 0; i < READS; i++) {
            Thread.sleep(310);
            long c0 = bean.getCurrentThreadCpuTime();
            long b0 = bean.getThreadAllocatedBytes(id);
            s.read();
            cpu[i] = bean.getCurrentThreadCpuTime() - c0;
            bytes[i] = bean.getThreadAllocatedBytes(id) - b0;
        }
        java.util.Arrays.sort(cpu);
        java.util.Arrays.sort(bytes);
        return new long[] {cpu[READS / 2], bytes[READS / 2]};
    }
}
