package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** ScanStore on the real database: a job's whole life, the API's requests and their claiming, the schedule lock. */
class ScanStoreIT {

    @Test
    void aJobStartsFinishesWithItsLogAndReadsBack() throws Exception {
        try (TestDatabase db = TestDatabase.create(); HikariDataSource ds = pool(db)) {
            ScanStore store = new ScanStore(Stores.jdbi(ds));
            long id;
            try (ScanStore.Lease lease = store.start(7, List.of("198.18.0.0/28", "198.18.0.32/30"), "ops")) {
                id = lease.id();
            }
            ScanStore.Scan running = store.find(id).orElseThrow();
            assertThat(running.status()).isEqualTo("running");
            assertThat(running.deptId()).as("the department is adopted").isEqualTo(7);
            assertThat(running.targets()).as("stored as today: joined by a space").isEqualTo("198.18.0.0/28 198.18.0.32/30");
            assertThat(running.targetList()).containsExactly("198.18.0.0/28", "198.18.0.32/30");
            assertThat(running.startedAt()).isNotNull();
            assertThat(running.finishedAt()).isNull();

            Instant t = Instant.parse("2026-12-01T10:00:00.123456Z");
            store.finish(id, new ScanStore.Counts(20, 3, 2), null, List.of(new ScanStore.LogLine(t, "info", "first"),
                    new ScanStore.LogLine(t.plusSeconds(1), "warn", "second")));
            ScanStore.Scan done = store.find(id).orElseThrow();
            assertThat(done.status()).isEqualTo("succeeded");
            assertThat(List.of(done.probesSent(), done.answered(), done.hostsFound(), done.retries()))
                    .containsExactly(20, 3, 2, 0);
            assertThat(done.error()).isNull();
            assertThat(done.finishedAt()).isNotNull();
            assertThat(store.log(id, 100)).containsExactly(new ScanStore.LogLine(t, "info", "first"),
                    new ScanStore.LogLine(t.plusSeconds(1), "warn", "second"));
            assertThat(store.log(id, 1)).hasSize(1);

            long failed;
            try (ScanStore.Lease lease = store.start(7, List.of("198.18.0.1/32"), "schedule")) {
                failed = lease.id();
            }
            store.finish(failed, null, "broker gone", List.of());
            ScanStore.Scan f = store.find(failed).orElseThrow();
            assertThat(f.status()).isEqualTo("failed");
            assertThat(f.error()).isEqualTo("broker gone");
            assertThat(f.probesSent()).isNull();
            assertThat(store.recent(10, 0)).extracting(ScanStore.Scan::id).containsExactly(failed, id);
            assertThat(store.recent(1, 1)).extracting(ScanStore.Scan::id).containsExactly(id);
            assertThat(store.find(failed + 1000)).isEmpty();
            assertThatThrownBy(() -> store.finish(id, null, null, List.of())).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void queuedJobsAreClaimedOnceOldestFirstAndPlaceholdersNever() throws Exception {
        try (TestDatabase db = TestDatabase.create(); HikariDataSource ds = pool(db)) {
            ScanStore store = new ScanStore(Stores.jdbi(ds));
            try (var c = db.connect(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO departments (id, name) VALUES (3, 'lab')");
                // a placeholder adopted from a producer's scan_id (no targets, no requester) is never claimed
                st.execute("SELECT fw_adopt_ids('scans', ARRAY[900]::bigint[])");
            }
            ScanStore.Scan first = store.request(3, List.of("198.18.0.0/24"), "api:ops");
            ScanStore.Scan second = store.request(null, List.of("198.18.0.1", "198.18.0.2"), "api:ops");
            assertThat(first.status()).isEqualTo("pending");
            assertThat(first.createdAt()).isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
            assertThat(second.targets()).isEqualTo("198.18.0.1 198.18.0.2");

            try (ScanStore.Lease a = store.claim(10).orElseThrow(); ScanStore.Lease b = store.claim(10).orElseThrow()) {
                assertThat(a.job()).isEqualTo(new ScanStore.Claimed(first.id(), "198.18.0.0/24", 3, null, 0));
                assertThat(b.job()).as("no department: 1")
                        .isEqualTo(new ScanStore.Claimed(second.id(), "198.18.0.1 198.18.0.2", 1, null, 0));
                assertThat(store.claim(10)).isEmpty();
                assertThat(store.find(first.id()).orElseThrow().status()).isEqualTo("running");
                assertThat(store.recoverStale(s -> { throw new AssertionError("not stale: " + s); }))
                        .as("both runners hold their locks").isEmpty();
            }
            assertThat(count(db, "SELECT count(*) FROM scans WHERE status = 'pending'")).isEqualTo(1);
            assertThatThrownBy(() -> store.request(3, List.of(), "api:ops")).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aScheduleLockIsHeldByOneHolderAtATime() throws Exception {
        try (TestDatabase db = TestDatabase.create(); HikariDataSource ds = pool(db)) {
            ScanStore store = new ScanStore(Stores.jdbi(ds));
            Optional<ScanStore.ScheduleLock> held = store.tryScheduleLock(0);
            assertThat(held).isPresent();
            assertThat(store.tryScheduleLock(0)).as("taken").isEmpty();
            try (ScanStore.ScheduleLock other = store.tryScheduleLock(1).orElseThrow()) {
                assertThat(other).isNotNull();
            }
            held.get().close();
            try (ScanStore.ScheduleLock again = store.tryScheduleLock(0).orElseThrow()) {
                assertThat(again).as("released on close").isNotNull();
            }
        }
    }

    @Test
    void theStoredTargetFormat() {
        assertThat(ScanStore.joinTargets(List.of("198.18.0.0/24", " 198.18.0.1 "))).isEqualTo("198.18.0.0/24 198.18.0.1");
        assertThat(ScanStore.splitTargets(" 198.18.0.0/24 \t 198.18.0.1 ")).containsExactly("198.18.0.0/24", "198.18.0.1");
        assertThat(ScanStore.splitTargets(null)).isEmpty();
        assertThatThrownBy(() -> ScanStore.joinTargets(List.of("198.18.0.0/24 198.18.0.1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static HikariDataSource pool(TestDatabase db) {
        HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "scan-store-it");
        new Migrator(ds, "auto").migrate();
        return ds;
    }

    private static long count(TestDatabase db, String sql) throws Exception {
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
