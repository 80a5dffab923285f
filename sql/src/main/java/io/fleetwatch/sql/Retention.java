package io.fleetwatch.sql;

import io.fleetwatch.settings.Key;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How long the maintenance job keeps what is not metrics, in days: finished scans (their {@code scan_logs} go with
 * them), resolved alerts and their events, sent or abandoned notifications, published outbox rows. From the settings
 * ({@code database.retention.*}); {@link Maintenance} writes them into {@code fleetwatch_meta}, where V11's
 * {@code fw_apply_retention} reads them, before each run.
 */
public record Retention(int scansDays, int alertsDays, int notificationsDays, int outboxDays) {
    public static final int MAX_DAYS = 36_500;

    public Retention {
        check(Keys.RETENTION_SCANS_DAYS, scansDays);
        check(Keys.RETENTION_ALERTS_DAYS, alertsDays);
        check(Keys.RETENTION_NOTIFICATIONS_DAYS, notificationsDays);
        check(Keys.RETENTION_OUTBOX_DAYS, outboxDays);
    }

    private static void check(Key<Integer> key, int days) {
        if (days < 1 || days > MAX_DAYS) {
            throw key.invalid("must be 1.." + MAX_DAYS + " days, not " + days);
        }
    }

    public static Retention from(Settings s) {
        return new Retention(s.get(Keys.RETENTION_SCANS_DAYS), s.get(Keys.RETENTION_ALERTS_DAYS),
                s.get(Keys.RETENTION_NOTIFICATIONS_DAYS), s.get(Keys.RETENTION_OUTBOX_DAYS));
    }

    public static Retention fromEnv(Map<String, String> env) {
        return from(Settings.fromEnv(env));
    }

    /** The defaults of the settings table (90, 365, 90 and 7 days). */
    public static Retention defaults() {
        return fromEnv(Map.of());
    }

    /** The {@code fleetwatch_meta} keys that {@code fw_apply_retention} reads, with these values. */
    Map<String, String> metaRows() {
        Map<String, String> rows = new LinkedHashMap<>();
        rows.put("retention_scans_days", Integer.toString(scansDays));
        rows.put("retention_alerts_days", Integer.toString(alertsDays));
        rows.put("retention_notifications_days", Integer.toString(notificationsDays));
        rows.put("retention_outbox_days", Integer.toString(outboxDays));
        return rows;
    }
}
