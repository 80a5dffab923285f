package io.fleetwatch.sql;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Maintenance} as a running component: run every minute on a daemon thread, a failed run tried again a minute
 * later; what a run does is {@link Maintenance}'s. Stops on close.
 */
public final class MaintenanceJob implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceJob.class);

    private final ScheduledExecutorService timer;

    private MaintenanceJob(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    public static MaintenanceJob start(DataSource dataSource) {
        return start(dataSource, Retention.defaults());
    }

    /** Every minute, with {@code retention}'s periods (the settings' {@code database.retention.*}). */
    public static MaintenanceJob start(DataSource dataSource, Retention retention) {
        Maintenance job = new Maintenance(dataSource, Clock.systemUTC(), 7, retention);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetwatch-maintenance");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                Maintenance.Result r = job.run();
                if (!r.skipped() && (r.created() > 0 || r.dropped() > 0)) {
                    LOG.info("maintenance: {} partition(s) created, {} dropped", r.created(), r.dropped());
                }
            } catch (Exception e) {
                LOG.warn("maintenance failed, next try in a minute: {}", e.getMessage());
            }
        }, 0, 1, TimeUnit.MINUTES);
        return new MaintenanceJob(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
