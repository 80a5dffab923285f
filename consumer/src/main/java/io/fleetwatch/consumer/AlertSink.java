package io.fleetwatch.consumer;

import io.fleetwatch.consumer.internal.SqlArrays;
import io.fleetwatch.messages.AlertMessage;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Stores alert events from the alert queue; a redelivered event (same id, or same system/type/state/time) is skipped. */
public final class AlertSink implements Sink<AlertMessage> {
    private final Jdbi jdbi;

    public AlertSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void write(List<AlertMessage> batch) {
        jdbi.useTransaction(h -> {
            SqlArrays.adoptIds(h, "systems", batch.stream().map(AlertMessage::systemId).distinct().toList());
            PreparedBatch pb = h.prepareBatch("INSERT INTO alerts (alert_id, system_id, alert_type, severity, state,"
                    + " value, threshold, occurred_at) VALUES (:id, :sys, :type, :sev, :state, :value, :threshold, :t)"
                    + " ON CONFLICT DO NOTHING");
            for (AlertMessage a : batch) {
                pb.bind("id", a.alertId())
                        .bind("sys", a.systemId())
                        .bind("type", a.alertType())
                        .bind("sev", a.severity().wireName())
                        .bind("state", a.state())
                        .bind("value", a.value())
                        .bind("threshold", a.threshold())
                        .bind("t", OffsetDateTime.ofInstant(a.timestamp(), ZoneOffset.UTC))
                        .add();
            }
            pb.execute();
        });
    }
}
