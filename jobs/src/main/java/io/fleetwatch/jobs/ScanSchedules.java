package io.fleetwatch.jobs;

import io.fleetwatch.scanner.ScanSchedule;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The scan part of a long-running scheduler: the scan schedules ({@code FLEETWATCH_SCAN_SCHEDULES}, checked against the
 * scan policy) and the queue runner (the queued jobs, polled every {@code poll}, under the job settings of the moment),
 * as a part a reload restarts when a {@link ScanJobs#SCHEDULE_KEYS} key changes.
 */
public final class ScanSchedules implements AutoCloseable {
    private final Function<Map<String, String>, ScanJobs> jobsFor;
    private final Duration poll;
    private AutoCloseable schedules;
    private AutoCloseable queue;

    /** {@code jobsFor} builds the service from an environment (its job settings are read from it). */
    public ScanSchedules(Function<Map<String, String>, ScanJobs> jobsFor, Duration poll) {
        this.jobsFor = Objects.requireNonNull(jobsFor, "jobsFor");
        this.poll = Objects.requireNonNull(poll, "poll");
    }

    /**
     * Stops the schedules and the queue runner (sweeps in progress finish first) and starts them again as {@code env}
     * says.
     */
    public synchronized String restart(Map<String, String> env) {
        close();
        List<ScanSchedule> plans = ScanJobs.schedules(env);
        ScanJobs jobs = jobsFor.apply(env);
        schedules = plans.isEmpty() ? null : jobs.schedule(plans, ScanJobs.policy(env));
        queue = jobs.serveRequests(ScanJobs.policy(env), poll);
        return plans.size() + " scan schedule(s), queued scan jobs (at most " + jobs.settings().maxParallelScans()
                + " running over the fleet)";
    }

    @Override
    public synchronized void close() {
        try {
            stop(schedules);
        } finally {
            schedules = null;
            try {
                stop(queue);
            } finally {
                queue = null;
            }
        }
    }

    private static void stop(AutoCloseable running) {
        if (running == null) {
            return;
        }
        try {
            running.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the scan schedules: " + Errors.describe(e), e);
        }
    }
}
