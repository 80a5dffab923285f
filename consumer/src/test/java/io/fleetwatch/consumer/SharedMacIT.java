package io.fleetwatch.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.sql.Database;
import io.fleetwatch.sql.DatabaseSettings;
import io.fleetwatch.sql.Migrator;
import io.fleetwatch.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Cloned machines report the same MAC: first sight of several such hosts, in one batch or in two consumers at once,
 * creates every system (the MAC stays with the first) and loses no sample. Found by the reliability module's
 * broker-outage scenario, where a sample was dead-lettered for breaking the unique MAC.
 */
class SharedMacIT {
    static MetricsMessage sample(String host, int i) {
        return new MetricsMessage(1, null, host, host, (long) i, Instant.parse("2026-11-22T10:00:00Z").plusSeconds(i),
                new MetricsMessage.Metrics(10.0, 20.0, 30.0, 0.0, 0.0, null, 100L, 0), "198.18.0.9",
                "02:00:00:00:00:99", null);
    }

    private static int count(Jdbi jdbi, String sql) {
        return jdbi.withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
    }

    @Test
    void hostsSharingAMacAreAllCreatedAndNothingIsRejected() throws Exception {
        try (TestDatabase db = TestDatabase.create();
             HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", db.jdbcUrl())), "mac-it")) {
            new Migrator(ds, "auto").migrate();
            Jdbi jdbi = ConsumerService.jdbi(ds);
            MetricsSink sink = new MetricsSink(jdbi);
            sink.write(List.of(sample("clone-host-a", 1), sample("clone-host-b", 1), sample("clone-host-c", 1)));
            // and a second consumer's sink, seeing a fourth clone for the first time
            new MetricsSink(jdbi).write(List.of(sample("clone-host-d", 2), sample("clone-host-a", 2)));
            assertThat(count(jdbi, "SELECT count(*) FROM systems")).isEqualTo(4);
            assertThat(count(jdbi, "SELECT count(*) FROM systems WHERE mac_address IS NOT NULL")).as("the MAC stays unique")
                    .isEqualTo(1);
            assertThat(count(jdbi, "SELECT count(*) FROM metrics")).isEqualTo(5);
        }
    }
}
