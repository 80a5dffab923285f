package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.AlertMessage;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.messages.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** AlertStore on a real database: incidents, notifications, the outbox, rules, windows, the advisory lock. */
class AlertStoreIT {
    static StoreDatabase db;
    static AlertStore alerts;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeAll
    static void start() {
        db = new StoreDatabase("alert-store-it");
        alerts = new AlertStore(db.jdbi);
        db.sql("INSERT INTO departments (id, name) VALUES (7, 'physics')");
        db.sql("INSERT INTO systems (id, hostname, ip_address, status, dept_id) VALUES (1, 'one', '198.18.0.1', 'up', 7),"
                + " (2, 'two', '198.18.0.2', 'up', 7)");
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    static AlertMessage alert(Long id, long system, String state, Instant at) {
        return new AlertMessage(SchemaVersion.CURRENT, id, system, "cpu_high", Severity.fromWire("warning"), state, 95.0,
                90.0, at);
    }

    @Test
    void incidentsOpenOnceCloseOnceAndQueueTheirNotifications() {
        long row = alerts.open(alert(null, 1, "firing", T0)).orElseThrow();
        assertThat(alerts.open(alert(null, 1, "firing", T0))).as("a redelivery opens nothing").isEmpty();
        alerts.queueNotifications(row, "firing", List.of("webhook", "email"));
        alerts.queueNotifications(row, "firing", List.of("webhook"));
        assertThat(db.count("SELECT count(*) FROM notifications WHERE alert_row = " + row)).isEqualTo(2);
        assertThat(alerts.incidents(AlertStore.Which.OPEN, 1L, 10, 0)).extracting(AlertStore.Incident::id)
                .containsExactly(row);
        assertThat(alerts.openBySeverity().warning()).isEqualTo(1);
        assertThat(alerts.resolveLatest(alert(null, 1, "resolved", T0.minusSeconds(1))))
                .as("a resolution older than the incident closes nothing").isEmpty();
        assertThat(alerts.resolveLatest(alert(null, 1, "resolved", T0.plusSeconds(60)))).contains(row);
        assertThat(alerts.incidents(AlertStore.Which.RESOLVED, null, 10, 0)).extracting(AlertStore.Incident::id)
                .contains(row);

        assertThat(alerts.acknowledge(row, "ops")).hasValueSatisfying(a -> assertThat(a.acknowledgedBy()).isEqualTo("ops"));
        assertThat(alerts.acknowledge(row, "ops")).as("once").isEmpty();
        assertThat(alerts.exists(row)).isTrue();
        assertThat(alerts.exists(row + 1000)).isFalse();
        Instant until = Instant.parse("2099-01-01T00:00:00Z");
        assertThat(alerts.silence(row, until, "ops", "disk swap tonight"))
                .contains(new AlertStore.Silence(row, until, "ops", "disk swap tonight"));
        assertThat(alerts.silence(row, null, "ops", "ignored when lifting")).contains(new AlertStore.Silence(row, null, null, null));
        assertThat(alerts.silence(row + 1000, null, null, null)).isEmpty();
    }

    static List<AlertStore.Due> claim(Instant now) {
        return db.jdbi.inTransaction(h -> alerts.claimDue(now, 50));
    }

    @Test
    void dueNotificationsAreClaimedAndMarked() {
        long row = alerts.open(alert(null, 2, "firing", T0)).orElseThrow();
        alerts.queueNotifications(row, "firing", List.of("webhook"));
        Instant now = Instant.now().plusSeconds(5);
        List<AlertStore.Due> due = claim(now);
        assertThat(due).filteredOn(d -> d.alertRow() == row).singleElement().satisfies(d -> {
            assertThat(d.hostname()).isEqualTo("two");
            assertThat(d.ip()).isEqualTo("198.18.0.2");
            assertThat(d.value()).isEqualTo(95.0);
            assertThat(d.occurredAt()).isEqualTo(T0);
        });
        long id = due.stream().filter(d -> d.alertRow() == row).findFirst().orElseThrow().id();
        alerts.markFailed(id, 1, "x".repeat(600), false, now.plusSeconds(3600));
        assertThat(claim(now)).as("not due before its next try")
                .noneMatch(d -> d.id() == id);
        assertThat(db.count("SELECT length(last_error) FROM notifications WHERE id = " + id)).isEqualTo(500);
        alerts.markSent(id, 2, now);
        assertThat(db.count("SELECT count(*) FROM notifications WHERE status = 'sent' AND attempts = 2 AND id = " + id))
                .isEqualTo(1);
    }

    @Test
    void theOutboxIsPublishedOrKeptWithTheError() {
        alerts.raise(new AlertStore.Event(1, "queue_backlog_x", "critical", "firing", 2000, 1000, T0));
        AlertStore.Drained failed = alerts.drainOutbox(10, T0, batch -> "broker down");
        assertThat(failed).isEqualTo(new AlertStore.Drained(1, "broker down"));
        assertThat(alerts.oldestUnsent()).isPresent();
        assertThat(alerts.outboxWait()).isPresent();
        List<AlertMessage> published = new ArrayList<>();
        AlertStore.Drained ok = alerts.drainOutbox(10, T0, batch -> {
            published.addAll(batch);
            return null;
        });
        assertThat(ok.claimed()).isEqualTo(1);
        assertThat(published).singleElement().satisfies(m -> {
            assertThat(m.alertType()).isEqualTo("queue_backlog_x");
            assertThat(m.threshold()).isEqualTo(1000.0);
        });
        assertThat(alerts.oldestUnsent()).isEmpty();
        assertThat(db.count("SELECT attempts FROM alert_outbox")).isEqualTo(2);
        // the resolution of our own event pairs with its firing event on record
        alerts.raise(new AlertStore.Event(1, "queue_backlog_x", "critical", "resolved", 10, 500, T0.plusSeconds(60)));
        List<AlertMessage> resolved = new ArrayList<>();
        alerts.drainOutbox(10, T0, batch -> {
            resolved.addAll(batch);
            return null;
        });
        AlertMessage r = resolved.get(0);
        assertThat(alerts.firingEventOf(new AlertMessage(SchemaVersion.CURRENT, r.alertId(), 1L, "queue_backlog_x",
                Severity.fromWire("critical"), "resolved", 10.0, 500.0, T0.plusSeconds(60))))
                .contains(published.get(0).alertId());
        long opened = alerts.openFromRecord(published.get(0).alertId()).orElseThrow();
        assertThat(alerts.openFromRecord(published.get(0).alertId())).isEmpty();
        assertThat(alerts.close(r, published.get(0).alertId())).contains(opened);
    }

    @Test
    void watchStateAndTheAdvisoryLock() throws Exception {
        assertThat(alerts.watchState("k")).isEmpty();
        alerts.setWatchState("k", "firing");
        alerts.setWatchState("k", "ok");
        assertThat(alerts.watchState("k")).contains("ok");
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Optional<String>> first = CompletableFuture.supplyAsync(() -> alerts.exclusively(42, () -> {
            held.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return "first";
        }));
        assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(alerts.exclusively(42, () -> "second")).as("held elsewhere").isEmpty();
        release.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).contains("first");
        assertThat(alerts.exclusively(42, () -> "third")).contains("third");
    }

    @Test
    void rulesAndWindows() {
        AlertStore.Rule r = alerts.createRule(new AlertStore.RuleSpec("ram_percent", "ram_high", 7, 90, 80, 3, "warning",
                true));
        assertThat(alerts.rules()).contains(r);
        assertThatThrownBy(() -> alerts.createRule(new AlertStore.RuleSpec("ram_percent", "ram_high", 7, 90, 80, 3,
                "warning", true))).hasRootCauseInstanceOf(java.sql.SQLException.class);
        assertThat(alerts.replaceRule(r.id(), new AlertStore.RuleSpec("ram_percent", "ram_high", 7, 88, 80, 3,
                "warning", false))).hasValueSatisfying(x -> assertThat(x.fireAt()).isEqualTo(88.0));
        assertThat(alerts.replaceRule(99_999, new AlertStore.RuleSpec("ram_percent", "ram_high", 7, 88, 80, 3,
                "warning", false))).isEmpty();
        assertThat(alerts.deleteRule(r.id())).isTrue();
        assertThat(alerts.deleteRule(r.id())).isFalse();
        assertThatThrownBy(() -> new AlertStore.RuleSpec("ram_percent", "t", null, 80, 90, 3, "warning", true))
                .isInstanceOf(IllegalArgumentException.class);

        AlertStore.Window w = alerts.createWindow(new AlertStore.WindowSpec(null, 7, T0, Instant.parse("2099-01-01T00:00:00Z"),
                "upgrade", "ops"));
        assertThat(w.createdBy()).isEqualTo("ops");
        assertThat(alerts.windows(true)).contains(w);
        AlertStore.Window past = alerts.createWindow(new AlertStore.WindowSpec(1L, null, T0, T0.plusSeconds(60), null,
                "ops"));
        assertThat(alerts.windows(true)).doesNotContain(past);
        assertThat(alerts.windows(false)).contains(w, past);
        assertThat(alerts.deleteWindow(w.id())).isTrue();
        assertThat(alerts.deleteWindow(w.id())).isFalse();
    }
}
