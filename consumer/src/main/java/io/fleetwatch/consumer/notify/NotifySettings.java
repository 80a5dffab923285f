package io.fleetwatch.consumer.notify;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Notification channels and retry policy from the environment. A channel is on when its key is set:
 * {@code FLEETWATCH_WEBHOOK_URL} (+ {@code FLEETWATCH_WEBHOOK_AUTHORIZATION}, sent as the Authorization header), or
 * {@code SMTP_HOST} (+ {@code SMTP_PORT} 587, {@code SMTP_STARTTLS} true, {@code SMTP_USERNAME},
 * {@code SMTP_PASSWORD}, {@code SMTP_FROM}, {@code SMTP_TO}). Retries: {@code FLEETWATCH_NOTIFY_MAX_RETRIES} (3),
 * {@code FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS} (60), doubling, at most an hour.
 */
public final class NotifySettings {
    private NotifySettings() {}

    public static List<Channel> channels(Settings s) {
        List<Channel> out = new ArrayList<>();
        String hook = s.get(Keys.NOTIFY_WEBHOOK_URL);
        if (hook != null && !hook.isBlank()) {
            URI u;
            try {
                u = URI.create(hook.trim());
            } catch (IllegalArgumentException e) {
                throw Keys.NOTIFY_WEBHOOK_URL.invalid("not a valid URL");
            }
            out.add(new WebhookChannel(u, s.get(Keys.NOTIFY_WEBHOOK_AUTHORIZATION), Duration.ofSeconds(10)));
        }
        String smtpHost = s.get(Keys.SMTP_HOST);
        if (smtpHost != null && !smtpHost.isBlank()) {
            out.add(new EmailChannel(new EmailChannel.Smtp(smtpHost.trim(), s.get(Keys.SMTP_PORT),
                    s.get(Keys.SMTP_STARTTLS), s.get(Keys.SMTP_USERNAME), s.get(Keys.SMTP_PASSWORD),
                    s.get(Keys.SMTP_FROM), s.find(Keys.SMTP_TO).orElse(List.of()),
                    Duration.ofSeconds(30))));
        }
        return out;
    }

    public static List<Channel> channels(Map<String, String> env) {
        return channels(Settings.fromEnv(env));
    }

    public static Notifier.Settings retries(Settings s) {
        int max = s.get(Keys.NOTIFY_MAX_RETRIES);
        int delay = s.get(Keys.NOTIFY_RETRY_DELAY_SECONDS);
        if (max < 0 || delay < 1) {
            throw new IllegalArgumentException(Keys.NOTIFY_MAX_RETRIES + " must be >= 0 and "
                    + Keys.NOTIFY_RETRY_DELAY_SECONDS + " >= 1");
        }
        return new Notifier.Settings(max, Duration.ofSeconds(delay), 2.0, Duration.ofHours(1), Duration.ofSeconds(1), 50);
    }

    public static Notifier.Settings retries(Map<String, String> env) {
        return retries(Settings.fromEnv(env));
    }
}
