package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fleetwatch.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code fleetwatch maintenance on|off|status} on the real database. */
class MaintenanceCommandIT {
    @Test
    void onStatusOff() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of("DATABASE_URL", db.jdbcUrl());
            assertThat(CliIT.run(env, "db", "migrate").code()).isZero();
            CliIT.Result on = CliIT.run(env, "maintenance", "on", "--reason", "database upgrade");
            assertThat(on.code()).as(on.err()).isZero();
            assertThat(on.out()).startsWith("maintenance mode: on since ").contains(": database upgrade");
            assertThat(CliIT.run(env, "maintenance", "status").out()).startsWith("maintenance mode: on since ");
            CliIT.Result off = CliIT.run(env, "maintenance", "off");
            assertThat(off.code()).as(off.err()).isZero();
            assertThat(off.out()).startsWith("maintenance mode: off since ").doesNotContain("upgrade");
            CliIT.Result wrong = CliIT.run(env, "maintenance", "sideways");
            assertThat(wrong.code()).isEqualTo(2);
            assertThat(wrong.err()).contains("on, off or status");
        }
    }
}
