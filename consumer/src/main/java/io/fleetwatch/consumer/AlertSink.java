package io.fleetwatch.consumer;

import io.fleetwatch.consumer.internal.SqlArrays;
import io.fleetwatch.messages.AlertMessage;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Alerts from the alert queue become incidents in {@code alerts}: a firing event opens one, its resolved event closes
 * the latest open incident of the same system, type and severity. Each change queues one notification per
 * configured channel. Redelivery changes nothing: firing events are unique by {@code alert_id} (or, for outside
 * producers without one, by system/type/severity/time), and a closed incident is not closed again.
 */
public final class AlertSink implements Sink<AlertMessage> {
    static final String HOST_UNREACHABLE = "host_unreachable";

    private final Jdbi jdbi;
    private final List<String> channels;

    public AlertSink(Jdbi jdbi, List<String> channels) {
        this.jdbi = jdbi;
        this.channels = List.copyOf(channels);
    }

    @Override
    public void write(List<AlertMessage> batch) {
        jdbi.useTransaction(h -> {
            SqlArrays.adoptIds(h, "systems", batch.stream().map(AlertMessage::systemId).distinct().toList());
            for (AlertMessage a : batch) {
                Optional<Long> row = "resolved".equals(a.state()) ? resolve(h, a) : open(h, a);
                row.ifPresent(id -> queueNotifications(h, id, a.state()));
                if (HOST_UNREACHABLE.equals(a.alertType()) && row.isPresent()) {
                    // the collector could not reach the host: that is the system's status too (GET /api/systems)
                    h.createUpdate("UPDATE systems SET status = :s, updated_at = now() WHERE id = :id")
                            .bind("s", "resolved".equals(a.state()) ? "up" : "down")
                            .bind("id", a.systemId())
                            .execute();
                }
            }
        });
    }

    private static Optional<Long> open(Handle h, AlertMessage a) {
        return h.createQuery("INSERT INTO alerts (alert_id, system_id, alert_type, severity, state, value, threshold,"
                        + " occurred_at) VALUES (:id, :sys, :type, :sev, 'firing', :value, :threshold, :t)"
                        + " ON CONFLICT DO NOTHING RETURNING id")
                .bind("id", a.alertId())
                .bind("sys", a.systemId())
                .bind("type", a.alertType())
                .bind("sev", a.severity().wireName())
                .bind("value", a.value())
                .bind("threshold", a.threshold())
                .bind("t", OffsetDateTime.ofInstant(a.timestamp(), ZoneOffset.UTC))
                .mapTo(Long.class)
                .findOne();
    }

    private static Optional<Long> resolve(Handle h, AlertMessage a) {
        // Only an incident that started before this event (and, with relay ids, from an earlier event) can be closed
        // by it: a late redelivered "resolved" must not close a newer incident.
        return h.createQuery("UPDATE alerts SET state = 'resolved', resolved_at = :t, resolved_value = :value"
                        + " WHERE id = (SELECT id FROM alerts WHERE system_id = :sys AND alert_type = :type"
                        + " AND severity = :sev AND resolved_at IS NULL AND occurred_at <= :t"
                        + " AND (CAST(:id AS bigint) IS NULL OR alert_id IS NULL OR alert_id < :id)"
                        + " ORDER BY occurred_at DESC LIMIT 1) RETURNING id")
                .bind("id", a.alertId())
                .bind("sys", a.systemId())
                .bind("type", a.alertType())
                .bind("sev", a.severity().wireName())
                .bind("value", a.value())
                .bind("t", OffsetDateTime.ofInstant(a.timestamp(), ZoneOffset.UTC))
                .mapTo(Long.class)
                .findOne();
    }

    private void queueNotifications(Handle h, long alertRow, String state) {
        for (String channel : channels) {
            h.createUpdate("INSERT INTO notifications (alert_row, event_state, channel) VALUES (:a, :s, :c)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("a", alertRow)
                    .bind("s", state)
                    .bind("c", channel)
                    .execute();
        }
    }
}
