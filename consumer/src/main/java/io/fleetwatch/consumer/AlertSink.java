package io.fleetwatch.consumer;

import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.store.AlertStore;
import io.fleetwatch.store.SystemStore;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
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
    private final SystemStore systems;
    private final AlertStore alerts;
    private final Supplier<List<String>> channels;

    /** The channels are asked per batch, so a configuration reload takes effect at the next alert. */
    public AlertSink(Jdbi jdbi, Supplier<List<String>> channels) {
        this.jdbi = jdbi;
        this.systems = new SystemStore(jdbi);
        this.alerts = new AlertStore(jdbi);
        this.channels = channels;
    }

    @Override
    public void write(List<AlertMessage> batch) {
        jdbi.useTransaction(h -> {
            systems.adoptSystems(batch.stream().map(AlertMessage::systemId).distinct().toList());
            for (AlertMessage a : batch) {
                Optional<Long> row;
                if ("resolved".equals(a.state())) {
                    Optional<Long> fired = a.alertId() == null ? Optional.empty() : alerts.firingEventOf(a);
                    if (fired.isPresent()) {
                        alerts.openFromRecord(fired.get())
                                .ifPresent(id -> alerts.queueNotifications(id, "firing", channels.get()));
                        row = alerts.close(a, fired.get());
                    } else {
                        row = alerts.resolveLatest(a);
                    }
                } else {
                    row = alerts.open(a);
                }
                row.ifPresent(id -> alerts.queueNotifications(id, a.state(), channels.get()));
                if (HOST_UNREACHABLE.equals(a.alertType()) && row.isPresent()) {
                    // the collector could not reach the host: that is the system's status too (GET /api/systems)
                    systems.setStatus(a.systemId(), "resolved".equals(a.state()) ? "up" : "down");
                }
            }
        });
    }
}
