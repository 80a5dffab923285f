package io.fleetwatch.consumer.runtime;

import io.fleetwatch.consumer.ConsumerService;
import io.fleetwatch.consumer.notify.Channel;
import io.fleetwatch.consumer.notify.Notifier;
import io.fleetwatch.consumer.notify.NotifySettings;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alert notifier as a reloadable part: channels (webhook, e-mail) and retries, from SMTP_* and FLEETWATCH_*. */
public final class Notifications implements Reloadable {
    private static final Logger LOG = LoggerFactory.getLogger(Notifications.class);
    public static final Predicate<String> KEYS = k -> k.startsWith("SMTP_") || k.startsWith("FLEETWATCH_WEBHOOK_")
            || k.startsWith("FLEETWATCH_NOTIFY_");

    private final DataSource dataSource;
    private final AtomicReference<List<String>> channelNames = new AtomicReference<>(List.of());
    private Notifier notifier;

    public Notifications(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The alert channels the consumer queues notifications for, as of the latest (re)start. */
    public Supplier<List<String>> channelNames() {
        return channelNames::get;
    }

    @Override
    public boolean reads(String key) {
        return KEYS.test(key);
    }

    @Override
    public void check(Map<String, String> env) {
        NotifySettings.channels(env);
        NotifySettings.retries(env);
    }

    @Override
    public synchronized String restart(Map<String, String> env) {
        close();
        List<Channel> channels = NotifySettings.channels(env);
        channelNames.set(channels.stream().map(Channel::name).toList());
        if (!channels.isEmpty()) {
            Notifier n = new Notifier(ConsumerService.jdbi(dataSource), channels, NotifySettings.retries(env),
                    Clock.systemUTC());
            n.start();
            notifier = n;
            LOG.info("notifications via {}", channelNames.get());
        }
        return "notifications " + channelNames.get();
    }

    @Override
    public synchronized void close() {
        if (notifier != null) {
            notifier.close();
            notifier = null;
        }
    }
}
