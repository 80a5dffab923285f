package io.fleetwatch.consumer.runtime;

import io.fleetwatch.transport.Transports;
import io.fleetwatch.consumer.watch.QueueWatch;
import io.fleetwatch.messages.Routing;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every 30 s, the queue backlog alerts (FLEETWATCH_QUEUE_WARNING 1000, FLEETWATCH_QUEUE_CRITICAL 10000); reloadable. */
public final class QueueWatchComponent implements Reloadable {
    private static final Logger LOG = LoggerFactory.getLogger(QueueWatchComponent.class);
    public static final Predicate<String> KEYS = k -> k.equals("FLEETWATCH_QUEUE_WARNING")
            || k.equals("FLEETWATCH_QUEUE_CRITICAL");

    private final DataSource dataSource;
    private AutoCloseable timer;

    public QueueWatchComponent(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public boolean reads(String key) {
        return KEYS.test(key);
    }

    @Override
    public void check(Map<String, String> env) {
        QueueWatch.Thresholds.fromEnv(env);
    }

    @Override
    public synchronized String restart(Map<String, String> env) {
        close();
        Routing.QueueNames q = Routing.QueueNames.fromEnv(env);
        QueueWatch.Thresholds t = QueueWatch.Thresholds.fromEnv(env);
        io.fleetwatch.settings.Settings settings = io.fleetwatch.settings.Settings.fromEnv(env);
        QueueWatch watch = new QueueWatch(dataSource,
                () -> Transports.open(settings, () -> dataSource, "fleetwatch-queue-watch"),
                q.all(), t, Clock.systemUTC());
        timer = Every.run(30, TimeUnit.SECONDS, "fleetwatch-queue-watch", () -> {
            try {
                watch.runOnce();
            } catch (Exception e) {
                LOG.warn("queue watch failed, next try in 30 s: {}", e.getMessage());
            }
        });
        return "queue thresholds warning " + t.warning() + " critical " + t.critical();
    }

    @Override
    public synchronized void close() {
        Every.stop(timer);
        timer = null;
    }
}
