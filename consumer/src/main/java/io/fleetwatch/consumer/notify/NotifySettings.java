package io.fleetwatch.consumer.notify;

import io.fleetwatch.consumer.internal.EnvNumbers;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

    public static List<Channel> channels(Map<String, String> env) {
        List<Channel> out = new ArrayList<>();
        String hook = env.get("FLEETWATCH_WEBHOOK_URL");
        if (hook != null && !hook.isBlank()) {
            URI u;
            try {
                u = URI.create(hook.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("FLEETWATCH_WEBHOOK_URL: not a valid URL");
            }
            out.add(new WebhookChannel(u, env.get("FLEETWATCH_WEBHOOK_AUTHORIZATION"), Duration.ofSeconds(10)));
        }
        String smtpHost = env.get("SMTP_HOST");
        if (smtpHost != null && !smtpHost.isBlank()) {
            out.add(new EmailChannel(new EmailChannel.Smtp(smtpHost.trim(), EnvNumbers.getInt(env, "SMTP_PORT", 587),
                    !"false".equalsIgnoreCase(env.getOrDefault("SMTP_STARTTLS", "true")), env.get("SMTP_USERNAME"),
                    env.get("SMTP_PASSWORD"), env.get("SMTP_FROM"),
                    Arrays.stream(env.getOrDefault("SMTP_TO", "").split(",")).map(String::strip)
                            .filter(s -> !s.isEmpty()).toList(),
                    Duration.ofSeconds(30))));
        }
        return out;
    }

    public static Notifier.Settings retries(Map<String, String> env) {
        int max = EnvNumbers.getInt(env, "FLEETWATCH_NOTIFY_MAX_RETRIES", 3);
        int delay = EnvNumbers.getInt(env, "FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS", 60);
        if (max < 0 || delay < 1) {
            throw new IllegalArgumentException("FLEETWATCH_NOTIFY_MAX_RETRIES must be >= 0 and"
                    + " FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS >= 1");
        }
        return new Notifier.Settings(max, Duration.ofSeconds(delay), 2.0, Duration.ofHours(1), Duration.ofSeconds(1), 50);
    }
}
