package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.nullableDouble;
import static io.fleetwatch.store.Stores.nullableInt;
import static io.fleetwatch.store.Stores.nullableLong;
import static io.fleetwatch.store.Stores.utc;

import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.messages.Severity;
import jakarta.annotation.Nullable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatement;
import org.postgresql.PGConnection;

/**
 * Owner of the alerting tables: incidents ({@code alerts}), the events the database raises ({@code alert_events},
 * {@code alert_state}) and their outbox ({@code alert_outbox}), the notifications queued per channel
 * ({@code notifications}), the rules ({@code alert_rules}) and maintenance windows ({@code maintenance_windows}).
 */
public final class AlertStore {
    /** The channel the relay LISTENs on; a NOTIFY there wakes it to drain the outbox. */
    public static final String CHANNEL = "fleetwatch_alerts";
    public static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    /** The metrics a rule may name: the catalog's alertable ones (the trigger's CASE and the CHECK follow them). */
    public static final Set<String> METRICS = Set.copyOf(io.fleetwatch.messages.MetricCatalog.DEFAULT.alertable());

    /** An incident with its system's hostname. */
    public record Incident(long id, @Nullable Long alertId, long systemId, @Nullable String hostname, String alertType,
                           String severity, String state, @Nullable Double value, @Nullable Double threshold,
                           Instant occurredAt, @Nullable Instant resolvedAt, @Nullable Instant acknowledgedAt,
                           @Nullable String acknowledgedBy, @Nullable Instant silencedUntil,
                           @Nullable String silencedBy, @Nullable String silenceReason) {}

    /** One decision of the alerting trigger about a system (its alert history): firing or resolved, and the value. */
    public record HistoryEntry(long id, String alertType, String severity, String state, @Nullable Double value,
                               @Nullable Double threshold, Instant occurredAt) {
        public HistoryEntry {
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(occurredAt, "occurredAt");
        }
    }

    /** Which incidents a list shows. */
    public enum Which { OPEN, RESOLVED, ALL }

    /** A move of an incident to another severity: by a firing event, or by the end of its higher severity. */
    public record SeverityChange(@Nullable Long alertId, String fromSeverity, String toSeverity, String cause,
                                 Instant changedAt) {
        public SeverityChange {
            Objects.requireNonNull(changedAt, "changedAt");
        }
    }

    public record Acknowledgement(long id, Instant acknowledgedAt, String acknowledgedBy) {}

    /** An incident's silence: until when, by whom and why (all null when lifted). */
    public record Silence(long id, @Nullable Instant silencedUntil, @Nullable String silencedBy,
                          @Nullable String silenceReason) {
        public Silence {
            if (silenceReason != null && silenceReason.length() > 500) {
                throw new IllegalArgumentException("silence_reason: at most 500 characters");
            }
        }
    }

    /** A host in a rule's scope whose latest sample is at or above the rule's fire_at. */
    public record PreviewHost(long systemId, @Nullable String hostname, double value, Instant collectedAt) {}

    /**
     * What a rule would do now against each host's latest sample: {@code inScope} hosts (not retired; the rule's
     * department, or all), {@code withValue} of them have a latest sample with the metric, {@code firing} are at or
     * above fire_at (the trigger's test), worst first.
     */
    public record Preview(String metric, double fireAt, @Nullable Integer deptId, long inScope, long withValue,
                          List<PreviewHost> firing) {}

    /** Open incidents by severity. */
    public record SeverityCounts(long critical, long warning, long info) {}

    /** A threshold rule as stored. */
    public record Rule(int id, String metric, String alertType, @Nullable Integer deptId, double fireAt, double clearAt,
                       int minSamples, String severity, boolean enabled) {}

    /** A rule to create or replace: fires above {@code fireAt}, clears below {@code clearAt} (hysteresis). */
    public record RuleSpec(String metric, String alertType, @Nullable Integer deptId, double fireAt, double clearAt,
                           int minSamples, String severity, boolean enabled) {
        public RuleSpec {
            if (!METRICS.contains(metric)) {
                throw new IllegalArgumentException("metric must be one of " + new java.util.TreeSet<>(METRICS));
            }
            if (!SEVERITIES.contains(severity)) {
                throw new IllegalArgumentException("severity must be one of " + new java.util.TreeSet<>(SEVERITIES));
            }
            Objects.requireNonNull(alertType, "alertType");
            if (clearAt > fireAt) {
                throw new IllegalArgumentException("clear_at must be at most fire_at");
            }
            if (minSamples < 1) {
                throw new IllegalArgumentException("min_samples must be 1 or more");
            }
        }

        <T extends SqlStatement<T>> T bind(T q) {
            return q.bind("metric", metric).bind("type", alertType).bind("dept", deptId).bind("fire", fireAt)
                    .bind("clear", clearAt).bind("min", minSamples).bind("sev", severity).bind("enabled", enabled);
        }
    }

    /** A maintenance window as stored: one system, a department, or (neither) the whole fleet. */
    public record Window(long id, @Nullable Long systemId, @Nullable Integer deptId, Instant startsAt, Instant endsAt,
                         @Nullable String reason, @Nullable String createdBy, Instant createdAt) {}

    public record WindowSpec(@Nullable Long systemId, @Nullable Integer deptId, Instant startsAt, Instant endsAt,
                             @Nullable String reason, @Nullable String createdBy) {
        public WindowSpec {
            Objects.requireNonNull(startsAt, "startsAt");
            Objects.requireNonNull(endsAt, "endsAt");
            if (!endsAt.isAfter(startsAt)) {
                throw new IllegalArgumentException("ends_at must be after starts_at");
            }
        }
    }

    /** A notification due for delivery, with the incident it is about. */
    public record Due(long id, String channel, int attempts, String eventState, long alertRow, long systemId,
                      String hostname, String ip, String alertType, String severity, Double value, Double threshold,
                      Instant occurredAt, Instant resolvedAt) {}

    /** An alert event to raise by hand (the database's own rules raise theirs in a trigger). */
    public record Event(long systemId, String alertType, String severity, String state, double value,
                        double threshold, Instant occurredAt) {
        public Event {
            if (!SEVERITIES.contains(severity)) {
                throw new IllegalArgumentException("severity must be one of " + SEVERITIES);
            }
            if (!state.equals("firing") && !state.equals("resolved")) {
                throw new IllegalArgumentException("state must be firing or resolved");
            }
            Objects.requireNonNull(occurredAt, "occurredAt");
        }
    }

    /** What a relay's publish of an outbox batch did: null when the broker took it all, else why not. */
    @FunctionalInterface
    public interface Publisher {
        String publish(List<AlertMessage> batch);
    }

    /** A drain step: how many events were claimed, and the publish error when they stay in the outbox. */
    public record Drained(int claimed, String error) {}

    /** Work run under an advisory lock, in one transaction. */
    @FunctionalInterface
    public interface Work<T, X extends Exception> {
        T run() throws X;
    }

    private final Jdbi jdbi;

    public AlertStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    // ---- incidents (the alert consumer)

    /**
     * Opens the incident of a firing event, or moves the one open incident of the same system and type at another
     * severity to this one (escalation, or back), keeping the move in {@code alert_severity_changes}; the incident's
     * id. Empty when the event is on record already (redelivery).
     */
    public Optional<Long> open(AlertMessage a) {
        return jdbi.withHandle(h -> fire(h, a.alertId(), a.systemId(), a.alertType(), a.severity().wireName(),
                a.value(), a.threshold(), a.timestamp()));
    }

    /** The id of the firing event that the resolved event {@code a} of our outbox ends, if it is on record. */
    public Optional<Long> firingEventOf(AlertMessage a) {
        return jdbi.withHandle(h -> h.createQuery("SELECT f.id FROM alert_events r JOIN LATERAL (SELECT id FROM"
                        + " alert_events f WHERE f.system_id = r.system_id AND f.alert_type = r.alert_type"
                        + " AND f.severity = r.severity AND f.state = 'firing' AND f.id < r.id ORDER BY f.id DESC LIMIT 1)"
                        + " f ON true WHERE r.id = :id AND r.state = 'resolved' AND r.system_id = :sys"
                        + " AND r.alert_type = :type AND r.severity = :sev")
                .bind("id", a.alertId())
                .bind("sys", a.systemId())
                .bind("type", a.alertType())
                .bind("sev", a.severity().wireName())
                .mapTo(Long.class)
                .findOne());
    }

    /**
     * Applies firing event {@code eventId} from its record (open or escalate, as {@link #open}), unless its message
     * came first; the incident's id when this changed it.
     */
    public Optional<Long> openFromRecord(long eventId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT system_id, alert_type, severity, value, threshold,"
                        + " occurred_at FROM alert_events WHERE id = :id")
                .bind("id", eventId)
                .map((rs, ctx) -> new Object[] {rs.getLong("system_id"), rs.getString("alert_type"),
                        rs.getString("severity"), nullableDouble(rs, "value"), nullableDouble(rs, "threshold"),
                        instant(rs, "occurred_at")})
                .findOne()
                .flatMap(e -> fire(h, eventId, (Long) e[0], (String) e[1], (String) e[2], (Double) e[3], (Double) e[4],
                        (Instant) e[5])));
    }

    private static Optional<Long> fire(Handle h, @Nullable Long alertId, long sys, String type, String sev,
                                       @Nullable Double value, @Nullable Double threshold, Instant at) {
        // a redelivered event (the one that opened an incident, or one that moved it) changes nothing
        boolean seen = h.createQuery("SELECT EXISTS (SELECT 1 FROM alerts WHERE alert_id = :id)"
                        + " OR EXISTS (SELECT 1 FROM alert_severity_changes WHERE alert_id = :id)"
                        + " OR (CAST(:id AS bigint) IS NULL AND (EXISTS (SELECT 1 FROM alerts WHERE alert_id IS NULL"
                        + " AND system_id = :sys AND alert_type = :type AND severity = :sev AND occurred_at = :t)"
                        + " OR EXISTS (SELECT 1 FROM alert_severity_changes c JOIN alerts a ON a.id = c.alert_row"
                        + " WHERE c.alert_id IS NULL AND a.system_id = :sys AND a.alert_type = :type"
                        + " AND c.to_severity = :sev AND c.changed_at = :t)))")
                .bind("id", alertId).bind("sys", sys).bind("type", type).bind("sev", sev).bind("t", utc(at))
                .mapTo(Boolean.class).one();
        if (seen) {
            return Optional.empty();
        }
        Optional<Map.Entry<Long, String>> incident = h.createQuery("SELECT id, severity FROM alerts"
                        + " WHERE system_id = :sys AND alert_type = :type AND resolved_at IS NULL AND occurred_at <= :t"
                        + " ORDER BY occurred_at DESC LIMIT 1 FOR UPDATE")
                .bind("sys", sys).bind("type", type).bind("t", utc(at))
                .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2)))
                .findOne();
        if (incident.isPresent() && !incident.get().getValue().equals(sev)) {
            long row = incident.get().getKey();
            h.createUpdate("UPDATE alerts SET severity = :sev, value = :value, threshold = :threshold WHERE id = :row")
                    .bind("sev", sev).bind("value", value).bind("threshold", threshold).bind("row", row).execute();
            moved(h, row, alertId, incident.get().getValue(), sev, "firing", at);
            return Optional.of(row);
        }
        return h.createQuery("INSERT INTO alerts (alert_id, system_id, alert_type, severity, state,"
                        + " value, threshold, occurred_at) VALUES (:id, :sys, :type, :sev, 'firing', :value, :threshold, :t)"
                        + " ON CONFLICT DO NOTHING RETURNING id")
                .bind("id", alertId)
                .bind("sys", sys)
                .bind("type", type)
                .bind("sev", sev)
                .bind("value", value)
                .bind("threshold", threshold)
                .bind("t", utc(at))
                .mapTo(Long.class)
                .findOne();
    }

    private static void moved(Handle h, long row, @Nullable Long alertId, String from, String to, String cause,
                              Instant at) {
        h.createUpdate("INSERT INTO alert_severity_changes (alert_row, alert_id, from_severity, to_severity, cause,"
                        + " changed_at) VALUES (:row, :id, :from, :to, :cause, :t)")
                .bind("row", row).bind("id", alertId).bind("from", from).bind("to", to).bind("cause", cause)
                .bind("t", utc(at)).execute();
    }

    /**
     * Ends severity {@code a} of the incident that firing event {@code firingEventId} opened or moved: closes it,
     * unless a rule of the same type at another severity still fires for the system (the database's warning and
     * critical rules fire side by side), in which case the incident moves to the highest of those. The id when closed.
     */
    public Optional<Long> close(AlertMessage a, long firingEventId) {
        return jdbi.withHandle(h -> {
            Optional<Long> row = h.createQuery("SELECT id FROM alerts WHERE resolved_at IS NULL AND (alert_id = :fired"
                            + " OR id IN (SELECT alert_row FROM alert_severity_changes WHERE alert_id = :fired)) FOR UPDATE")
                    .bind("fired", firingEventId).mapTo(Long.class).findOne();
            if (row.isEmpty()) {
                return row;
            }
            Optional<String> still = h.createQuery("SELECT r.severity FROM alert_state st JOIN alert_rules r"
                            + " ON r.id = st.rule_id WHERE st.system_id = :sys AND r.alert_type = :type"
                            + " AND st.state = 'firing' AND r.severity <> :sev"
                            + " ORDER BY array_position(ARRAY['info', 'warning', 'critical'], r.severity) DESC LIMIT 1")
                    .bind("sys", a.systemId()).bind("type", a.alertType()).bind("sev", a.severity().wireName())
                    .mapTo(String.class).findOne();
            if (still.isPresent()) {
                String from = h.createQuery("SELECT severity FROM alerts WHERE id = :row").bind("row", row.get())
                        .mapTo(String.class).one();
                if (!from.equals(still.get())) {
                    h.createUpdate("UPDATE alerts SET severity = :sev WHERE id = :row").bind("sev", still.get())
                            .bind("row", row.get()).execute();
                    moved(h, row.get(), a.alertId(), from, still.get(), "resolved", a.timestamp());
                }
                return Optional.<Long>empty();
            }
            return h.createQuery("UPDATE alerts SET state = 'resolved', resolved_at = :t,"
                            + " resolved_value = :value WHERE id = :row RETURNING id")
                    .bind("row", row.get())
                    .bind("value", a.value())
                    .bind("t", utc(a.timestamp()))
                    .mapTo(Long.class)
                    .findOne();
        });
    }

    /**
     * Closes the latest open incident of the same system and type (at whatever severity it has moved to) that started
     * before {@code a} (and, with relay ids, from an earlier event): a late redelivered resolution must not close a
     * newer incident.
     */
    public Optional<Long> resolveLatest(AlertMessage a) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE alerts SET state = 'resolved', resolved_at = :t,"
                        + " resolved_value = :value WHERE id = (SELECT id FROM alerts WHERE system_id = :sys"
                        + " AND alert_type = :type AND resolved_at IS NULL AND occurred_at <= :t"
                        + " AND (CAST(:id AS bigint) IS NULL OR alert_id IS NULL OR alert_id < :id)"
                        + " ORDER BY occurred_at DESC LIMIT 1) RETURNING id")
                .bind("id", a.alertId())
                .bind("sys", a.systemId())
                .bind("type", a.alertType())
                .bind("value", a.value())
                .bind("t", utc(a.timestamp()))
                .mapTo(Long.class)
                .findOne());
    }

    /** The severity moves of an incident, oldest first. */
    public List<SeverityChange> severityChanges(long alertRow) {
        return jdbi.withHandle(h -> h.createQuery("SELECT alert_id, from_severity, to_severity, cause, changed_at"
                        + " FROM alert_severity_changes WHERE alert_row = :row ORDER BY changed_at, id")
                .bind("row", alertRow)
                .map((rs, ctx) -> new SeverityChange(nullableLong(rs, "alert_id"), rs.getString("from_severity"),
                        rs.getString("to_severity"), rs.getString("cause"), instant(rs, "changed_at")))
                .list());
    }

    /** Queues one notification of the incident's change per channel (once: a repeat changes nothing). */
    public void queueNotifications(long alertRow, String state, Collection<String> channels) {
        if (channels.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            for (String channel : channels) {
                h.createUpdate("INSERT INTO notifications (alert_row, event_state, channel) VALUES (:a, :s, :c)"
                                + " ON CONFLICT DO NOTHING")
                        .bind("a", alertRow)
                        .bind("s", state)
                        .bind("c", channel)
                        .execute();
            }
        });
    }

    // ---- notifications (the notifier)

    /**
     * Claims due notifications of unsilenced incidents, oldest first, with {@code SKIP LOCKED} (several notifiers
     * share the work); call inside a transaction, which holds the claim until it ends.
     */
    public List<Due> claimDue(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT n.id, n.channel, n.attempts, n.event_state, a.id AS alert_row, a.system_id, s.hostname,
                               host(s.ip_address) AS ip, a.alert_type, a.severity,
                               CASE WHEN n.event_state = 'resolved' THEN a.resolved_value ELSE a.value END AS value,
                               a.threshold, a.occurred_at, a.resolved_at
                        FROM notifications n JOIN alerts a ON a.id = n.alert_row JOIN systems s ON s.id = a.system_id
                        WHERE n.status = 'pending' AND n.next_attempt_at <= :now
                          AND (a.silenced_until IS NULL OR a.silenced_until <= :now)
                        ORDER BY n.next_attempt_at, n.id LIMIT :limit
                        FOR UPDATE OF n SKIP LOCKED""")
                .bind("now", utc(now))
                .bind("limit", limit)
                .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getString("channel"), rs.getInt("attempts"),
                        rs.getString("event_state"), rs.getLong("alert_row"), rs.getLong("system_id"),
                        rs.getString("hostname"), rs.getString("ip"), rs.getString("alert_type"),
                        rs.getString("severity"), nullableDouble(rs, "value"), nullableDouble(rs, "threshold"),
                        instant(rs, "occurred_at"), instant(rs, "resolved_at")))
                .list());
    }

    public void markSent(long id, int attempts, Instant at) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE notifications SET status = 'sent', attempts = :a, sent_at = :now,"
                + " last_error = NULL WHERE id = :id").bind("a", attempts).bind("now", utc(at)).bind("id", id).execute());
    }

    /** A failed try: pending again from {@code next}, or dead (no more tries), with the error kept (500 chars). */
    public void markFailed(long id, int attempts, String error, boolean dead, Instant next) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE notifications SET attempts = :a, last_error = :err, status = :status,"
                        + " next_attempt_at = :next WHERE id = :id")
                .bind("a", attempts)
                .bind("err", error.length() > 500 ? error.substring(0, 500) : error)
                .bind("status", dead ? "dead" : "pending")
                .bind("next", utc(next))
                .bind("id", id)
                .execute());
    }

    // ---- the outbox (the relay)

    /**
     * One drain step of the outbox: claims up to {@code limit} unsent events ({@code FOR UPDATE SKIP LOCKED}, so
     * several relays share the work), hands them to {@code publisher}, and in the same transaction marks them sent
     * at {@code now}, or counts the failed attempt with its error (they stay in the outbox).
     */
    public Drained drainOutbox(int limit, Instant now, Publisher publisher) {
        return jdbi.inTransaction(h -> {
            List<AlertMessage> batch = h.createQuery("SELECT e.id, e.system_id, e.alert_type, e.severity, e.state,"
                            + " e.value, e.threshold, e.occurred_at FROM alert_outbox o JOIN alert_events e"
                            + " ON e.id = o.event_id WHERE o.sent_at IS NULL ORDER BY o.event_id LIMIT :n"
                            + " FOR UPDATE OF o SKIP LOCKED")
                    .bind("n", limit)
                    .map((rs, ctx) -> new AlertMessage(SchemaVersion.CURRENT, rs.getLong("id"), rs.getLong("system_id"),
                            rs.getString("alert_type"), Severity.fromWire(rs.getString("severity")),
                            rs.getString("state"), nullableDouble(rs, "value"), nullableDouble(rs, "threshold"),
                            instant(rs, "occurred_at")))
                    .list();
            if (batch.isEmpty()) {
                return new Drained(0, null);
            }
            List<Long> ids = batch.stream().map(AlertMessage::alertId).toList();
            String error = publisher.publish(batch);
            if (error != null) {
                h.createUpdate("UPDATE alert_outbox SET attempts = attempts + 1, last_error = :e"
                        + " WHERE event_id = ANY (:ids)").bind("e", error).bindArray("ids", Long.class, ids).execute();
            } else {
                h.createUpdate("UPDATE alert_outbox SET sent_at = :t, attempts = attempts + 1, last_error = NULL"
                        + " WHERE event_id = ANY (:ids)").bind("t", utc(now)).bindArray("ids", Long.class, ids).execute();
            }
            return new Drained(batch.size(), error);
        });
    }

    /** When the oldest unsent alert event was queued, if one waits. */
    public Optional<Instant> oldestUnsent() {
        return jdbi.withHandle(h -> h.createQuery("SELECT min(created_at) AS t FROM alert_outbox WHERE sent_at IS NULL")
                .map((rs, ctx) -> Optional.ofNullable(instant(rs, "t"))).one());
    }

    /** How long the oldest unsent alert event has waited, by the database's clock, if one waits. */
    public Optional<Duration> outboxWait() {
        return jdbi.withHandle(h -> h.createQuery("SELECT CAST(extract(epoch FROM now() - min(created_at)) AS bigint)"
                        + " AS waited FROM alert_outbox WHERE sent_at IS NULL")
                .map((rs, ctx) -> Optional.ofNullable(nullableLong(rs, "waited")).map(Duration::ofSeconds)).one());
    }

    /** The outbox's unsent events: how many, and how long the oldest has waited (zero when none), by the database's clock. */
    public record OutboxBacklog(long unsent, Duration oldestWait) {}

    /** What waits in the outbox now (the relay's lag), in one statement. */
    public OutboxBacklog outboxBacklog() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) AS n, coalesce(CAST(extract(epoch FROM now()"
                        + " - min(created_at)) * 1000 AS bigint), 0) AS waited_ms FROM alert_outbox WHERE sent_at IS NULL")
                .map((rs, ctx) -> new OutboxBacklog(rs.getLong("n"), Duration.ofMillis(Math.max(0, rs.getLong("waited_ms")))))
                .one());
    }

    /** A connection LISTENing on {@link #CHANNEL}: the relay waits on it between drains. */
    public final class Listener implements AutoCloseable {
        private final Handle handle;
        private final PGConnection pg;

        private Listener() throws SQLException {
            Handle h = jdbi.open();
            try {
                h.getConnection().setAutoCommit(true);
                h.execute("LISTEN " + CHANNEL);
                this.pg = h.getConnection().unwrap(PGConnection.class);
            } catch (SQLException | RuntimeException e) {
                h.close();
                throw e;
            }
            this.handle = h;
        }

        /** Waits until a notification arrives or {@code timeout} passes (a lost notification costs latency only). */
        public void await(Duration timeout) throws SQLException {
            pg.getNotifications((int) timeout.toMillis());
        }

        @Override
        public void close() {
            handle.close();
        }
    }

    public Listener listen() throws SQLException {
        return new Listener();
    }

    /** Wakes the relays now (at commit, when called inside a transaction). */
    public void wakeRelays(String payload) {
        jdbi.useHandle(h -> h.createQuery("SELECT pg_notify(:c, :p)").bind("c", CHANNEL).bind("p", payload)
                .mapToMap().list());
    }

    // ---- events raised outside the database's rules (queue backlog)

    /** Raises an alert event into the outbox, where the relay picks it up like the database's own. */
    public void raise(Event e) {
        jdbi.useHandle(h -> h.createUpdate("WITH e AS (INSERT INTO alert_events (system_id, alert_type, severity, state,"
                        + " value, threshold, occurred_at) VALUES (:sys, :type, :sev, :state, :value, :threshold, :t)"
                        + " RETURNING id) INSERT INTO alert_outbox (event_id) SELECT id FROM e")
                .bind("sys", e.systemId())
                .bind("type", e.alertType())
                .bind("sev", e.severity())
                .bind("state", e.state())
                .bind("value", e.value())
                .bind("threshold", e.threshold())
                .bind("t", utc(e.occurredAt()))
                .execute());
    }

    /** The state a watcher outside the database keeps for one of its alerts ({@code fleetwatch_meta}), if any. */
    public Optional<String> watchState(String key) {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM fleetwatch_meta WHERE key = :k").bind("k", key)
                .mapTo(String.class).findOne());
    }

    public void setWatchState(String key, String value) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO fleetwatch_meta (key, value) VALUES (:k, :v)"
                + " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()")
                .bind("k", key).bind("v", value).execute());
    }

    /**
     * Runs {@code work} in one transaction while holding the session advisory lock {@code lockId}, so one instance
     * at a time does it; empty (nothing run) when another instance holds the lock. Owners on the same Jdbi called
     * from {@code work} join the transaction.
     */
    public <T, X extends Exception> Optional<T> exclusively(long lockId, Work<T, X> work) throws X {
        return jdbi.<Optional<T>, X>withHandle(h -> {
            if (!h.createQuery("SELECT pg_try_advisory_lock(:id)").bind("id", lockId).mapTo(Boolean.class).one()) {
                return Optional.empty();
            }
            try {
                return Optional.ofNullable(h.<T, X>inTransaction(x -> work.run()));
            } finally {
                h.createQuery("SELECT pg_advisory_unlock(:id)").bind("id", lockId).mapTo(Boolean.class).one();
            }
        });
    }

    // ---- the API's reads and admin writes

    /** Incidents, newest first; optionally one system's. */
    public List<Incident> incidents(Which which, Long systemId, int limit, int offset) {
        String where = switch (which) {
            case OPEN -> "a.resolved_at IS NULL";
            case RESOLVED -> "a.resolved_at IS NOT NULL";
            case ALL -> "true";
        };
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT a.id, a.alert_id, a.system_id, s.hostname, a.alert_type, a.severity, a.state, a.value,
                               a.threshold, a.occurred_at, a.resolved_at, a.acknowledged_at, a.acknowledged_by,
                               a.silenced_until, a.silenced_by, a.silence_reason
                        FROM alerts a JOIN systems s ON s.id = a.system_id
                        WHERE""" + " " + where + " AND (CAST(:sys AS bigint) IS NULL OR a.system_id = :sys)"
                        + " ORDER BY a.occurred_at DESC, a.id DESC LIMIT :limit OFFSET :offset")
                .bind("sys", systemId)
                .bind("limit", limit)
                .bind("offset", offset)
                .map((rs, ctx) -> incident(rs))
                .list());
    }

    private static Incident incident(ResultSet rs) throws SQLException {
        return new Incident(rs.getLong("id"), nullableLong(rs, "alert_id"), rs.getLong("system_id"),
                rs.getString("hostname"), rs.getString("alert_type"), rs.getString("severity"), rs.getString("state"),
                nullableDouble(rs, "value"), nullableDouble(rs, "threshold"), instant(rs, "occurred_at"),
                instant(rs, "resolved_at"), instant(rs, "acknowledged_at"), rs.getString("acknowledged_by"),
                instant(rs, "silenced_until"), rs.getString("silenced_by"), rs.getString("silence_reason"));
    }

    /** A system's alert history: the trigger's firing and resolved events, newest first, at most {@code limit}. */
    public List<HistoryEntry> history(long systemId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, alert_type, severity, state, value, threshold, occurred_at"
                        + " FROM alert_events WHERE system_id = :id ORDER BY occurred_at DESC, id DESC LIMIT :n")
                .bind("id", systemId).bind("n", limit)
                .map((rs, ctx) -> new HistoryEntry(rs.getLong("id"), rs.getString("alert_type"),
                        rs.getString("severity"), rs.getString("state"), nullableDouble(rs, "value"),
                        nullableDouble(rs, "threshold"), instant(rs, "occurred_at")))
                .list());
    }

    public boolean exists(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM alerts WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).one() > 0);
    }

    /** Marks the incident acknowledged by {@code by}; empty when there is no such incident or it already is. */
    public Optional<Acknowledgement> acknowledge(long id, String by) {
        return jdbi.withHandle(h -> h.createQuery("UPDATE alerts SET acknowledged_at = now(), acknowledged_by = :by"
                        + " WHERE id = :id AND acknowledged_at IS NULL RETURNING id, acknowledged_at, acknowledged_by")
                .bind("by", by)
                .bind("id", id)
                .map((rs, ctx) -> new Acknowledgement(rs.getLong("id"), instant(rs, "acknowledged_at"),
                        rs.getString("acknowledged_by")))
                .findOne());
    }

    /**
     * Silences the incident's notifications until {@code until}, noting by whom and why; a null {@code until} lifts
     * the silence (and forgets who and why). Empty when there is no such incident.
     */
    public Optional<Silence> silence(long id, @Nullable Instant until, @Nullable String by, @Nullable String reason) {
        boolean lift = until == null;
        return jdbi.withHandle(h -> h.createQuery("UPDATE alerts SET silenced_until = :u, silenced_by = :by,"
                        + " silence_reason = :reason WHERE id = :id RETURNING id, silenced_until, silenced_by, silence_reason")
                .bind("u", utc(until)).bind("by", lift ? null : by).bind("reason", lift ? null : reason).bind("id", id)
                .map((rs, ctx) -> new Silence(rs.getLong("id"), instant(rs, "silenced_until"), rs.getString("silenced_by"),
                        rs.getString("silence_reason")))
                .findOne());
    }

    /**
     * Evaluates a rule's threshold against each host's latest sample (see {@link Preview}); min_samples and the
     * hysteresis state are not considered: this is "how many would be above the line now".
     */
    public Preview preview(String metric, double fireAt, @Nullable Integer deptId) {
        if (!METRICS.contains(metric)) {
            throw new IllegalArgumentException("metric must be one of " + new java.util.TreeSet<>(METRICS));
        }
        // the column name comes from METRICS (checked above), never from the caller's text as such
        String sql = "SELECT s.id, s.hostname, m.collected_at, m." + metric + " AS value FROM systems s"
                + " LEFT JOIN LATERAL (SELECT collected_at, " + metric + " FROM metrics WHERE system_id = s.id"
                + " ORDER BY collected_at DESC LIMIT 1) m ON true"
                + " WHERE s.retired_at IS NULL AND (CAST(:dept AS integer) IS NULL OR s.dept_id = :dept)";
        // every host in scope, its value null without a sample or without the metric (no GPU)
        List<PreviewHost> latest = jdbi.withHandle(h -> h.createQuery(sql).bind("dept", deptId)
                .map((rs, ctx) -> nullableDouble(rs, "value") == null ? null : new PreviewHost(rs.getLong("id"),
                        rs.getString("hostname"), rs.getDouble("value"), instant(rs, "collected_at")))
                .list());
        List<PreviewHost> valued = latest.stream().filter(Objects::nonNull).toList();
        return new Preview(metric, fireAt, deptId, latest.size(), valued.size(), valued.stream()
                .filter(p -> p.value() >= fireAt)
                .sorted(java.util.Comparator.comparingDouble(PreviewHost::value).reversed()
                        .thenComparingLong(PreviewHost::systemId))
                .toList());
    }

    public SeverityCounts openBySeverity() {
        return jdbi.withHandle(h -> {
            Map<String, Long> n = new HashMap<>();
            h.createQuery("SELECT severity, count(*) FROM alerts WHERE resolved_at IS NULL GROUP BY severity")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(e -> n.put(e.getKey(), e.getValue()));
            return new SeverityCounts(n.getOrDefault("critical", 0L), n.getOrDefault("warning", 0L),
                    n.getOrDefault("info", 0L));
        });
    }

    /** Every column of one incident with its system's hostname, in column order (for inspection). */
    public Optional<Map<String, Object>> inspect(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT a.*, s.hostname FROM alerts a JOIN systems s"
                + " ON s.id = a.system_id WHERE a.id = :id").bind("id", id)
                .map((rs, ctx) -> SystemStore.columns(rs)).findOne());
    }

    // ---- rules

    private static final String RULE_COLUMNS = "id, metric, alert_type, dept_id, fire_at, clear_at, min_samples,"
            + " severity, enabled";

    public List<Rule> rules() {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + RULE_COLUMNS + " FROM alert_rules ORDER BY alert_type,"
                + " severity, dept_id NULLS FIRST, id").map((rs, ctx) -> rule(rs)).list());
    }

    /** Creates a rule; a second rule of the same type, severity and department violates a unique key. */
    public Rule createRule(RuleSpec r) {
        return jdbi.withHandle(h -> r.bind(h.createQuery("INSERT INTO alert_rules (metric, alert_type, dept_id, fire_at,"
                + " clear_at, min_samples, severity, enabled) VALUES (:metric, :type, :dept, :fire, :clear, :min, :sev,"
                + " :enabled) RETURNING " + RULE_COLUMNS)).map((rs, ctx) -> rule(rs)).one());
    }

    public Optional<Rule> replaceRule(int id, RuleSpec r) {
        return jdbi.withHandle(h -> r.bind(h.createQuery("UPDATE alert_rules SET metric = :metric, alert_type = :type,"
                        + " dept_id = :dept, fire_at = :fire, clear_at = :clear, min_samples = :min, severity = :sev,"
                        + " enabled = :enabled WHERE id = :id RETURNING " + RULE_COLUMNS))
                .bind("id", id).map((rs, ctx) -> rule(rs)).findOne());
    }

    public boolean deleteRule(int id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM alert_rules WHERE id = :id").bind("id", id).execute()) == 1;
    }

    private static Rule rule(ResultSet rs) throws SQLException {
        return new Rule(rs.getInt("id"), rs.getString("metric"), rs.getString("alert_type"), nullableInt(rs, "dept_id"),
                rs.getDouble("fire_at"), rs.getDouble("clear_at"), rs.getInt("min_samples"), rs.getString("severity"),
                rs.getBoolean("enabled"));
    }

    // ---- maintenance windows

    private static final String WINDOW_COLUMNS = "id, system_id, dept_id, starts_at, ends_at, reason, created_by,"
            + " created_at";

    /** Windows by start; {@code currentOnly}: those not ended yet (open or upcoming). At most 1000. */
    public List<Window> windows(boolean currentOnly) {
        return jdbi.withHandle(h -> h.createQuery("SELECT " + WINDOW_COLUMNS + " FROM maintenance_windows"
                        + (currentOnly ? " WHERE ends_at > now()" : "") + " ORDER BY starts_at, id LIMIT 1000")
                .map((rs, ctx) -> window(rs)).list());
    }

    public Window createWindow(WindowSpec w) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO maintenance_windows (system_id, dept_id, starts_at,"
                        + " ends_at, reason, created_by) VALUES (:sys, :dept, :s, :e, :reason, :by) RETURNING "
                        + WINDOW_COLUMNS)
                .bind("sys", w.systemId()).bind("dept", w.deptId())
                .bind("s", utc(w.startsAt())).bind("e", utc(w.endsAt()))
                .bind("reason", w.reason()).bind("by", w.createdBy())
                .map((rs, ctx) -> window(rs)).one());
    }

    public boolean deleteWindow(long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM maintenance_windows WHERE id = :id").bind("id", id)
                .execute()) == 1;
    }

    private static Window window(ResultSet rs) throws SQLException {
        return new Window(rs.getLong("id"), nullableLong(rs, "system_id"), nullableInt(rs, "dept_id"),
                instant(rs, "starts_at"), instant(rs, "ends_at"), rs.getString("reason"), rs.getString("created_by"),
                instant(rs, "created_at"));
    }
}
