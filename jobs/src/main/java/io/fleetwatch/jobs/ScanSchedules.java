package io.fleetwatch.jobs;

import io.fleetwatch.scanner.ScanSchedule;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The scan schedules of a long-running process ({@code FLEETWATCH_SCAN_SCHEDULES}, checked against the scan policy)
 * as a part a reload restarts when a {@link ScanJobs#SCHEDULE_KEYS} key changes.
 */
public final class ScanSchedules implements AutoCloseable {
    private final ScanJobs jobs;
    private AutoCloseable running;

    public ScanSchedules(ScanJobs jobs) {
        this.jobs = Objects.requireNonNull(jobs, "jobs");
    }

    /** Stops the schedules that run (a sweep in progress finishes first) and starts those {@code env} names. */
    public synchronized String restart(Map<String, String> env) {
        close();
        List<ScanSchedule> plans = ScanJobs.schedules(env);
        running = plans.isEmpty() ? null : jobs.schedule(plans, ScanJobs.policy(env));
        return plans.size() + " scan schedule(s)";
    }

    @Override
    public synchronized void close() {
        if (running == null) {
            return;
        }
        try {
            running.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the scan schedules: " + Errors.describe(e), e);
        } finally {
            running = null;
        }
    }
}
