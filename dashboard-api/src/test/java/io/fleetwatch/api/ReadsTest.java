package io.fleetwatch.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ReadsTest {
    @Test
    void onlyALostConnectionIsAskedAgainOfThePrimary() {
        assertThat(Reads.connectionLost(new RuntimeException(new SQLException("terminating connection", "57P01")))).isTrue();
        assertThat(Reads.connectionLost(new SQLException("connection refused", "08001"))).isTrue();
        assertThat(Reads.connectionLost(new SQLException("I/O error", "08006"))).isTrue();
        assertThat(Reads.connectionLost(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(Reads.connectionLost(new SQLException("canceled by a timeout", "57014"))).isFalse();
        assertThat(Reads.connectionLost(new IllegalStateException("no SQL at all"))).isFalse();
    }
}
