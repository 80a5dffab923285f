package io.fleetwatch.consumer;

import io.fleetwatch.consumer.internal.SqlArrays;
import io.fleetwatch.messages.AlertMessage;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Alerts from the alert queue become incidents in {@code alerts}: a firing event opens one, its resolved event closes
 * it. Each change queues one notification per configured channel. Redelivery changes nothing: firing events are
 * unique by {@code alert_id} (or, for outside producers without one, by system/type/severity/time), and a closed
 * incident is not closed again.
 *
 * <p>Order is not guaranteed: parallel relays, competing consumers and redelivery can bring a resolved event before
 * its firing event. Events of our own outbox are therefore paired through {@code alert_events} (the firing event a
 * resolution ends is the latest firing event of the same system, type and severity before it): a resolution that
 * arrives first opens the incident from that record and closes it at once, and the late firing message then finds
 * it and changes nothing. Outside producers' events, without a record, close the latest open incident.
 */
public final class AlertSink implements Sink<AlertMessage> {
    static final String HOST_UNREACHABLE = "host_unreachable";

    private final Jdbi jdbi;
    private final Supplier<List<String>> channels;

    /** The channels are asked per batch, so a configuration reload takes effect at the next alert. */
    public AlertSink(Jdbi jdbi, Supplier<List<String>> channels) {
        this.jdbi = jdbi;
        this.channels = channels;
    }

    @Override
    public void write(List<AlertMessage> batch) {
        jdbi.useTransaction(h -> {
            SqlArrays.adoptIds(h, "systems", batch.stream().map(AlertMessage::systemId).distinct().toList());
            for (AlertMessage a : batch) {
                Optional<Long> row;
                if ("resolved".equals(a.state())) {
                    Optional<Long> fired = a.alertId() == null ? Optional.empty() : firingEventOf(h, a);
                    if (fired.isPresent()) {
                        openFromRecord(h, fired.get()).ifPresent(id -> queueNotifications(h, id, "firing"));
                        row = close(h, a, fired.get());
                    } else {
                        row = resolveLatest(h, a);
                    }
                } else {
                    row = open(h, a);
                }
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

    /** The id of the firing event that the resolved event {@code a} of our outbox ends, if it is on record. */
    private static Optional<Long> firingEventOf(Handle h, AlertMessage a) {
        return h.createQuery("SELECT f.id FROM alert_events r JOIN LATERAL (SELECT id FROM alert_events f"
                        + " WHERE f.system_id = r.system_id AND f.alert_type = r.alert_type AND f.severity = r.severity"
                        + " AND f.state = 'firing' AND f.id < r.id ORDER BY f.id DESC LIMIT 1) f ON true"
                        + " WHERE r.id = :id AND r.state = 'resolved' AND r.system_id = :sys AND r.alert_type = :type"
                        + " AND r.severity = :sev")
                .bind("id", a.alertId())
                .bind("sys", a.systemId())
                .bind("type", a.alertType())
                .bind("sev", a.severity().wireName())
                .mapTo(Long.class)
                .findOne();
    }

    /** Opens the incident of firing event {@code eventId} from its record, unless its message came first. */
    private static Optional<Long> openFromRecord(Handle h, long eventId) {
        return h.createQuery("INSERT INTO alerts (alert_id, system_id, alert_type, severity, state, value, threshold,"
                        + " occurred_at) SELECT id, system_id, alert_type, severity, 'firing', value, threshold, occurred_at"
                        + " FROM alert_events WHERE id = :id ON CONFLICT DO NOTHING RETURNING id")
                .bind("id", eventId)
                .mapTo(Long.class)
                .findOne();
    }

    private static Optional<Long> close(Handle h, AlertMessage a, long firingEventId) {
        return h.createQuery("UPDATE alerts SET state = 'resolved', resolved_at = :t, resolved_value = :value"
                        + " WHERE alert_id = :fired AND resolved_at IS NULL RETURNING id")
                .bind("fired", firingEventId)
                .bind("value", a.value())
                .bind("t", OffsetDateTime.ofInstant(a.timestamp(), ZoneOffset.UTC))
                .mapTo(Long.class)
                .findOne();
    }

    private static Optional<Long> resolveLatest(Handle h, AlertMessage a) {
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
        for (String channel : channels.get()) {
            h.createUpdate("INSERT INTO notifications (alert_row, event_state, channel) VALUES (:a, :s, :c)"
                            + " ON CONFLICT DO NOTHING")
                    .bind("a", alertRow)
                    .bind("s", state)
                    .bind("c", channel)
                    .execute();
        }
    }
}
