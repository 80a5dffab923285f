package io.fleetwatch.consumer.runtime;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A background job on its own daemon thread, run at once and then with a fixed delay; stopped on close. */
final class Every {
    private Every() {}

    static AutoCloseable run(long period, TimeUnit unit, String name, Runnable job) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(job, 0, period, unit);
        return timer::shutdownNow;
    }

    /** Closes {@code c} if there is one; stopping a timer or a notifier throws nothing worth stopping for. */
    static void stop(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException("stopping " + c + ": " + e.getMessage(), e);
        }
    }
}
