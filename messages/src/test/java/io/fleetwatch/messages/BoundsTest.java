package io.fleetwatch.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bound of {@link Bounds}: the value at it is accepted, the next one beyond it refused with the field named. */
class BoundsTest {
    private static final Instant T = Instant.parse("2026-11-30T12:00:00Z");

    private static MetricsMessage.Metrics metrics(double mbps, long uptime, int users) {
        return new MetricsMessage.Metrics(Bounds.PERCENT_MAX, 0.0, 0.0, mbps, mbps, null, uptime, users);
    }

    private static MetricsMessage sample(Long systemId, Instant at, MetricsMessage.Metrics m) {
        return new MetricsMessage(1, systemId, null, null, 0L, at, m);
    }

    @Test
    void metricsValuesAtTheirBoundsAreAcceptedBeyondRefused() {
        sample(Bounds.PRODUCER_ID_MAX, T, metrics(Bounds.MBPS_MAX, Bounds.UPTIME_SECONDS_MAX, Bounds.USERS_MAX));
        assertThatThrownBy(() -> metrics(Math.nextUp(Bounds.MBPS_MAX), 0, 0))
                .hasMessageContaining("metrics.network_sent_mbps must be a number in [0.0, " + Bounds.MBPS_MAX);
        assertThatThrownBy(() -> metrics(Double.MAX_VALUE, 0, 0)).hasMessageContaining("network_sent_mbps");
        assertThatThrownBy(() -> metrics(0, Bounds.UPTIME_SECONDS_MAX + 1, 0)).hasMessageContaining("uptime_seconds");
        assertThatThrownBy(() -> metrics(0, 0, Bounds.USERS_MAX + 1)).hasMessageContaining("logged_in_users");
        assertThatThrownBy(() -> sample(Bounds.PRODUCER_ID_MAX + 1, T, metrics(0, 0, 0)))
                .hasMessageContaining("system_id must be in [1, " + Bounds.PRODUCER_ID_MAX + "]");
        assertThatThrownBy(() -> sample(Long.MAX_VALUE, T, metrics(0, 0, 0))).hasMessageContaining("system_id");
    }

    @Test
    void timestampsOutsideTheAbsoluteWindowAreRefused() {
        sample(1L, Bounds.EARLIEST, metrics(0, 0, 0));
        assertThatThrownBy(() -> sample(1L, Bounds.EARLIEST.minusNanos(1000), metrics(0, 0, 0)))
                .hasMessageContaining("collected_at must be from 2000-01-01");
        assertThatThrownBy(() -> sample(1L, Bounds.LATEST, metrics(0, 0, 0))).hasMessageContaining("collected_at");
    }

    @Test
    void timestampsOutsideTheWindowAroundNowAreRefused() throws Exception {
        Bounds.requireRecent("t", T.plus(Bounds.MAX_CLOCK_SKEW), T);
        Bounds.requireRecent("t", T.minus(Bounds.MAX_AGE), T);
        assertThatThrownBy(() -> Bounds.requireRecent("t", T.plus(Bounds.MAX_CLOCK_SKEW).plusSeconds(1), T))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("in the future");
        assertThatThrownBy(() -> Bounds.requireRecent("t", T.minus(Bounds.MAX_AGE).minusSeconds(1), T))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("days old");
    }

    @Test
    void discoveryAndAlertIdsAndValuesAreBounded() {
        DiscoveryMessage.of(Bounds.PRODUCER_ID_MAX, Bounds.DEPT_ID_MAX, "198.18.0.1", null, null, T, "arp");
        assertThatThrownBy(() -> DiscoveryMessage.of(Bounds.PRODUCER_ID_MAX + 1, 1, "198.18.0.1", null, null, T, "arp"))
                .hasMessageContaining("scan_id");
        assertThatThrownBy(() -> DiscoveryMessage.of(1L, Bounds.DEPT_ID_MAX + 1, "198.18.0.1", null, null, T, "arp"))
                .hasMessageContaining("dept_id must be in [1, " + Bounds.DEPT_ID_MAX + "]");
        new AlertMessage(1, Bounds.PRODUCER_ID_MAX, 1L, "cpu_high", Severity.WARNING, "firing", Bounds.ALERT_VALUE_MAX,
                -Bounds.ALERT_VALUE_MAX, T);
        assertThatThrownBy(() -> new AlertMessage(1, null, 1L, "cpu_high", Severity.WARNING, "firing",
                Math.nextUp(Bounds.ALERT_VALUE_MAX), null, T)).hasMessageContaining("value must be a number");
        assertThatThrownBy(() -> new AlertMessage(1, null, Bounds.PRODUCER_ID_MAX + 1, "cpu_high", Severity.WARNING,
                "firing", null, null, T)).hasMessageContaining("system_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"00:00:00:00:00:00", "FF:FF:FF:FF:FF:FF", "01:00:5E:00:00:FB", "33:33:00:00:00:01",
            "52:54:00:12:34:56", "02:42:ac:11:00:02"})
    void placeholderMacsAreNoIdentity(String mac) {
        assertThat(DiscoveryMessage.of(null, 1, "198.18.0.1", null, mac, T, "arp").macAddress()).isNull();
        assertThat(new MetricsMessage(1, null, "host-0001", null, 0L, T, metrics(0, 0, 0), null, mac, null)
                .macAddress()).isNull();
    }

    @Test
    void realMacsIncludingLocallyAdministeredOnesStayIdentities() {
        assertThat(DiscoveryMessage.of(null, 1, "198.18.0.1", null, "00:1b:44:11:3a:b7", T, "arp").macAddress())
                .isEqualTo("00:1B:44:11:3A:B7");
        assertThat(DiscoveryMessage.of(null, 1, "198.18.0.1", null, "52:54:00:ab:cd:ef", T, "arp").macAddress())
                .as("a libvirt guest's own MAC").isEqualTo("52:54:00:AB:CD:EF");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST", "localhost.localdomain", "ip6-localhost"})
    void placeholderHostnamesAreDropped(String name) {
        assertThat(DiscoveryMessage.of(null, 1, "198.18.0.1", name, null, T, "arp").hostname()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "255.255.255.255", "224.0.0.1", "::", "ff02::1"})
    void placeholderAddressesAreNoHostsIdentity(String ip) {
        assertThatThrownBy(() -> DiscoveryMessage.of(null, 1, ip, null, null, T, "arp"))
                .hasMessageContaining("is not one host's address");
        assertThat(new MetricsMessage(1, null, "host-0001", null, 0L, T, metrics(0, 0, 0), ip, null, null)
                .ipAddress()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void loopbackIsAScanResultButNotAnAgentsOwnAddress(String ip) {
        assertThat(DiscoveryMessage.of(null, 1, ip, null, null, T, "tcp").ipAddress()).isEqualTo(ip);
        assertThat(new MetricsMessage(1, null, "host-0001", null, 0L, T, metrics(0, 0, 0), ip, null, null)
                .ipAddress()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000000000000000000000000000", "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
            "03000200-0400-0500-0006-000700080009"})
    void placeholderHostIdsAreRefused(String id) {
        assertThatThrownBy(() -> new MetricsMessage(1, null, id, null, 0L, T, metrics(0, 0, 0)))
                .hasMessageContaining("placeholder");
    }

    @Test
    void controlCharactersInReasonsAreEscaped() {
        String json = String.format(GOOD, ",\"hostname\":\"evil\\nINFO forged line\\u001b[31m\"");
        assertThatThrownBy(() -> MessageCodec.decode(json.getBytes(StandardCharsets.UTF_8), MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class)
                .hasMessageContaining("evil\\nINFO forged line\\u001b[31m")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b"));
        assertThat(Reasons.escape("a\r\nb\u2028c\u0000")).isEqualTo("a\\r\\nb\\u2028c\\u0000");
    }

    private static final String GOOD = "{\"system_id\":1,\"collected_at\":\"2026-11-30T12:00:00Z\",\"metrics\":"
            + "{\"cpu_percent\":1,\"ram_percent\":2,\"disk_percent\":3,\"network_sent_mbps\":0,\"network_recv_mbps\":0,"
            + "\"gpu_percent\":null,\"uptime_seconds\":1,\"logged_in_users\":0}%s}";

    @Test
    void duplicateKeysAreRefused() throws Exception {
        MessageCodec.decode(String.format(GOOD, "").getBytes(StandardCharsets.UTF_8), MetricsMessage.class);
        String dup = String.format(GOOD, "").replace("\"cpu_percent\":1,", "\"cpu_percent\":1,\"cpu_percent\":99,");
        assertThatThrownBy(() -> MessageCodec.decode(dup.getBytes(StandardCharsets.UTF_8), MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("Duplicate field 'cpu_percent'");
    }

    @Test
    void invalidUtf8IsRefusedEvenInIgnoredFields() {
        byte[] prefix = String.format(GOOD, ",\"note\":\"").getBytes(StandardCharsets.UTF_8);
        byte[] overlong = {(byte) 0xC0, (byte) 0xAF}; // '/' in two bytes: an overlong form
        byte[] body = new byte[prefix.length - 1 + overlong.length + 2];
        System.arraycopy(prefix, 0, body, 0, prefix.length - 1);
        System.arraycopy(overlong, 0, body, prefix.length - 1, overlong.length);
        body[body.length - 2] = '"';
        body[body.length - 1] = '}';
        assertThatThrownBy(() -> MessageCodec.decode(body, MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("not valid UTF-8");
        byte[] surrogate = String.format(GOOD, ",\"note\":\"\uFFFD\"").getBytes(StandardCharsets.UTF_8);
        int at = indexOf(surrogate, (byte) 0xEF);
        surrogate[at] = (byte) 0xED; // ED A0 80: a UTF-16 surrogate encoded as UTF-8 (CESU), not UTF-8
        surrogate[at + 1] = (byte) 0xA0;
        surrogate[at + 2] = (byte) 0x80;
        assertThatThrownBy(() -> MessageCodec.decode(surrogate, MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void nestingBeyondTheLimitIsRefused() throws Exception {
        String nested = "[".repeat(Bounds.JSON_DEPTH_MAX - 1) + "]".repeat(Bounds.JSON_DEPTH_MAX - 1);
        MessageCodec.decode(String.format(GOOD, ",\"x\":" + nested).getBytes(StandardCharsets.UTF_8),
                MetricsMessage.class);
        String deeper = "[" + nested + "]";
        assertThatThrownBy(() -> MessageCodec.decode(String.format(GOOD, ",\"x\":" + deeper)
                .getBytes(StandardCharsets.UTF_8), MetricsMessage.class))
                .isInstanceOf(InvalidMessageException.class).hasMessageContaining("nesting depth");
    }

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        throw new IllegalArgumentException();
    }
}
