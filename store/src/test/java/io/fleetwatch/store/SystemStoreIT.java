package io.fleetwatch.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.messages.DiscoveryMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SystemStore on a real database: the batched discovery upsert against one-by-one writes, agents, reads. */
class SystemStoreIT {
    static StoreDatabase db;
    static SystemStore systems;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @BeforeAll
    static void start() {
        db = new StoreDatabase("system-store-it");
        systems = new SystemStore(db.jdbi);
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    /** A discovery batch with repeats (a MAC seen thrice, an IP twice) over hosts of subnet {@code net}. */
    static List<DiscoveryMessage> batch(int net, long scan) {
        String mac = "02:00:00:00:0" + net + ":";
        String ip = "198.18." + net + ".";
        return List.of(
                DiscoveryMessage.of(scan, 3, ip + "1", "alpha", mac + "01", T0, "arp"),
                DiscoveryMessage.of(null, 3, ip + "2", null, mac + "02", T0, "arp"),
                DiscoveryMessage.of(scan, 4, ip + "9", "alpha-renamed", mac + "01", T0.plusSeconds(5), "arp"),
                DiscoveryMessage.of(scan, 3, ip + "20", "ipless", null, T0, "icmp"),
                DiscoveryMessage.of(null, 3, ip + "20", null, null, T0.minusSeconds(60), "icmp"),
                DiscoveryMessage.of(null, 5, ip + "10", null, mac + "01", T0.plusSeconds(1), "arp"),
                DiscoveryMessage.of(scan, 3, ip + "21", "other", null, T0, "tcp"));
    }

    /** Each system of a subnet, as the columns a discovery writes, with its identity-history length. */
    static List<String> rows(int net) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT host(ip_address) AS ip, right(mac_address::text, 2) AS mac,"
                        + " hostname, dept_id, status, last_scan_id, last_seen,"
                        + " (SELECT count(*) FROM system_identity_history i WHERE i.system_id = s.id) AS history"
                        + " FROM systems s WHERE ip_address << CAST(:net AS inet) ORDER BY mac NULLS LAST, ip")
                .bind("net", "198.18." + net + ".0/24")
                .map((rs, ctx) -> rs.getString("ip").replaceFirst("^198\\.18\\.\\d+\\.", "x.") + " " + rs.getString("mac")
                        + " " + rs.getString("hostname") + " " + rs.getObject("dept_id") + " " + rs.getString("status")
                        + " " + rs.getObject("last_scan_id") + " " + rs.getObject("last_seen", java.time.OffsetDateTime.class)
                        .toInstant() + " " + rs.getLong("history"))
                .list());
    }

    @Test
    void aBatchedDiscoveryUpsertEqualsWritingTheMessagesOneByOne() {
        systems.discovered(batch(1, 501));
        for (DiscoveryMessage m : batch(2, 502)) {
            systems.discovered(List.of(m));
        }
        List<String> batched = rows(1);
        List<String> oneByOne = new ArrayList<>();
        for (String r : rows(2)) {
            oneByOne.add(r.replace(" 502 ", " 501 "));
        }
        assertThat(batched).hasSize(4).isEqualTo(oneByOne);
        // the MAC seen thrice: last IP, last non-null hostname, last department, latest time, three identities
        assertThat(batched.get(0)).isEqualTo("x.10 01 alpha-renamed 5 up 501 2026-11-20T10:00:05Z 3");
        assertThat(batched).contains("x.20 null ipless 3 up 501 2026-11-20T10:00:00Z 1");
        assertThat(db.count("SELECT count(*) FROM departments WHERE id IN (3, 4, 5)")).isEqualTo(3);
        assertThat(db.count("SELECT count(*) FROM scans WHERE id IN (501, 502)")).isEqualTo(2);
    }

    @Test
    void agentsResolveToTheSystemOfTheirMacOrANewOneAndNamedIdsAreChecked() {
        systems.discovered(List.of(DiscoveryMessage.of(null, 3, "198.18.3.1", "scanned", "02:00:00:00:03:01", T0, "arp")));
        long scanned = db.jdbi.withHandle(h -> h.createQuery("SELECT id FROM systems WHERE hostname = 'scanned'")
                .mapTo(Long.class).one());
        Map<String, Long> ids = systems.resolveAgentHosts(List.of(
                new SystemStore.AgentHost("agent-b", "b", "198.18.3.2", null, T0),
                new SystemStore.AgentHost("agent-a", "a", "198.18.3.1", "02:00:00:00:03:01", T0)));
        assertThat(ids.get("agent-a")).as("the scanner's system is this agent's").isEqualTo(scanned);
        assertThat(ids).containsKey("agent-b");
        Map<String, Long> again = systems.resolveAgentHosts(List.of(
                new SystemStore.AgentHost("agent-b", "b2", "198.18.3.2", null, T0.plusSeconds(60))));
        assertThat(again).containsEntry("agent-b", ids.get("agent-b"));
        assertThat(systems.find(ids.get("agent-b")).orElseThrow().hostname()).isEqualTo("b2");

        systems.markSeen(List.of(new SystemStore.NamedSystem(ids.get("agent-a"), "agent-a", T0.plusSeconds(90))));
        assertThat(systems.find(scanned).orElseThrow().lastSeen()).isEqualTo(T0.plusSeconds(90));
        assertThatThrownBy(() -> systems.markSeen(List.of(
                new SystemStore.NamedSystem(ids.get("agent-a"), "agent-b", T0))))
                .isInstanceOf(SystemStore.IdCollision.class).hasMessageContaining("is the system of host_id 'agent-a'");
        systems.markSeen(List.of(new SystemStore.NamedSystem(900_001, null, T0)));
        assertThat(systems.exists(900_001)).as("an id a producer named is adopted").isTrue();
    }

    /**
     * A scanner that finds its own machine at 127.0.0.1 reports that machine's MAC: it and the agent there are one
     * system, whichever comes first, and the loopback address never replaces the agent's real one.
     */
    @Test
    void aLoopbackDiscoveryWithItsMachinesMacIsThatMachinesAgent() {
        String mac = "02:00:00:00:05:01";
        DiscoveryMessage loopback = DiscoveryMessage.of(null, 3, "127.0.0.1", "self", mac, T0, "tcp");
        systems.discovered(List.of(loopback));
        Map<String, Long> agent = systems.resolveAgentHosts(List.of(
                new SystemStore.AgentHost("agent-self", "self", "198.18.5.2", mac, T0.plusSeconds(1))));
        systems.discovered(List.of(DiscoveryMessage.of(null, 3, "127.0.0.1", "self", mac, T0.plusSeconds(2), "tcp")));
        SystemStore.Host host = systems.find(agent.get("agent-self")).orElseThrow();
        assertThat(host.macAddress()).isEqualTo(mac);
        assertThat(host.ipAddress()).as("the agent's address stays").isEqualTo("198.18.5.2");
        assertThat(db.count("SELECT count(*) FROM systems WHERE mac_address = '" + mac + "' OR host_id = 'agent-self'"))
                .isEqualTo(1);

        // the agent first, then the scan
        String other = "02:00:00:00:05:02";
        Map<String, Long> first = systems.resolveAgentHosts(List.of(
                new SystemStore.AgentHost("agent-self-2", "self2", "198.18.5.3", other, T0)));
        systems.discovered(List.of(DiscoveryMessage.of(null, 3, "127.0.0.1", "self2", other, T0.plusSeconds(1), "tcp")));
        assertThat(systems.find(first.get("agent-self-2")).orElseThrow().ipAddress()).isEqualTo("198.18.5.3");
        assertThat(db.count("SELECT count(*) FROM systems WHERE mac_address = '" + other + "' OR host_id = 'agent-self-2'"))
                .isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM system_identity_history i JOIN systems s ON s.id = i.system_id"
                + " WHERE s.host_id = 'agent-self-2' AND i.ip_address << inet '127.0.0.0/8'")).as("no loopback identity")
                .isZero();
    }

    @Test
    void readsFilterPageAndCount() {
        db.sql("INSERT INTO departments (id, name) VALUES (70, 'physics') ON CONFLICT (id) DO UPDATE SET name = 'physics'");
        db.sql("INSERT INTO systems (hostname, ip_address, status, dept_id) SELECT 'read-' || g, ('198.18.7.' || g)::inet,"
                + " CASE WHEN g % 2 = 0 THEN 'down' ELSE 'up' END, 70 FROM generate_series(1, 6) g");
        SystemStore.HostFilter dept = new SystemStore.HostFilter(70, null, null);
        assertThat(systems.count(dept)).isEqualTo(6);
        assertThat(systems.count(new SystemStore.HostFilter(70, "down", null))).isEqualTo(3);
        assertThat(systems.page(dept, 2, 4)).extracting(SystemStore.Host::hostname).containsExactly("read-5", "read-6");
        assertThat(systems.count(new SystemStore.HostFilter(null, null, "READ-_"))).as("_ is a character").isZero();
        assertThat(systems.page(new SystemStore.HostFilter(null, null, "198.18.7.3"), 10, 0))
                .extracting(SystemStore.Host::hostname).containsExactly("read-3");
        assertThat(systems.departments()).filteredOn(d -> d.id() == 70)
                .containsExactly(new SystemStore.Department(70, "physics", 6, 3));
        assertThat(systems.countByStatus().down()).isGreaterThanOrEqualTo(3);
        assertThatThrownBy(() -> new SystemStore.HostFilter(null, "sideways", null))
                .isInstanceOf(IllegalArgumentException.class);
        long id = systems.page(dept, 1, 0).get(0).systemId();
        db.sql("UPDATE systems SET hostname = 'read-1-renamed' WHERE id = " + id);
        assertThat(systems.identityHistory(id)).extracting(SystemStore.IdentityChange::hostname)
                .containsExactly("read-1-renamed", "read-1");
        assertThat(systems.find(id).orElseThrow().latest()).as("no sample yet").isNull();
    }

    @Test
    void sshTargetsInspectionAndForgettingAHost() {
        db.sql("INSERT INTO systems (host_id, hostname, ip_address, ssh_user, ssh_port, status) VALUES"
                + " ('probe-host-0001', 'probe', '198.18.9.1', 'fleet', 2222, 'up'), (NULL, 'named-only', NULL, 'fleet', NULL, 'up')");
        assertThat(systems.sshTargets()).extracting(SystemStore.SshTarget::host, SystemStore.SshTarget::port)
                .contains(org.assertj.core.groups.Tuple.tuple("198.18.9.1", 2222),
                        org.assertj.core.groups.Tuple.tuple("named-only", 22));
        long id = db.jdbi.withHandle(h -> h.createQuery("SELECT id FROM systems WHERE host_id = 'probe-host-0001'")
                .mapTo(Long.class).one());
        db.sql("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
                + " network_recv_mbps, uptime_seconds, logged_in_users) VALUES (" + id + ", now(), 1, 1, 1, 0, 0, 1, 0)");
        db.sql("INSERT INTO alerts (system_id, alert_type, severity, occurred_at) VALUES (" + id + ", 'cpu_high',"
                + " 'warning', now())");
        assertThat(systems.inspect(id)).hasValueSatisfying(row -> {
            assertThat(row).containsEntry("hostname", "probe").containsEntry("open_alerts", 1L);
            assertThat(row.get("last_sample")).isNotNull();
        });
        assertThat(systems.find(id).orElseThrow().latest()).isNotNull();
        systems.forgetHost("probe-host-0001");
        assertThat(systems.exists(id)).isFalse();
        assertThat(db.count("SELECT count(*) FROM alerts WHERE system_id = " + id)).isZero();
        assertThat(systems.inspect(id)).isEmpty();
    }
    @Test
    void fleetRowsCarryTheLatestSampleAndTheWorstOpenIncidentAndChangesAreFoundByTime() {
        long a = db.jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname, ip_address, vendor, status)"
                + " VALUES ('fleet-a', '198.18.77.1', 'Dell', 'up') RETURNING id").mapTo(Long.class).one());
        long b = db.jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (hostname, ip_address, status)"
                + " VALUES ('fleet-b', '198.18.77.2', 'down') RETURNING id").mapTo(Long.class).one());
        db.jdbi.useHandle(h -> {
            h.execute("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                    + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users) VALUES"
                    + " (?, now() - interval '1 minute', 10, 20, 30, 1, 2, NULL, 100, 1),"
                    + " (?, now(), 42, 20, 30, 1, 2, 7, 160, 1)", a, a);
            h.execute("INSERT INTO alerts (system_id, alert_type, severity, value, threshold, occurred_at) VALUES"
                    + " (?, 'ram_high', 'warning', 91, 90, now()), (?, 'cpu_high', 'critical', 97, 95, now())", b, b);
            h.execute("INSERT INTO alerts (system_id, alert_type, severity, value, threshold, occurred_at, resolved_at,"
                    + " state) VALUES (?, 'disk_high', 'critical', 99, 95, now(), now(), 'resolved')", a);
        });
        List<SystemStore.FleetRow> rows = systems.fleet(List.of(b, a));
        assertThat(rows).extracting(SystemStore.FleetRow::systemId).containsExactly(a, b);
        SystemStore.FleetRow ra = rows.get(0);
        SystemStore.FleetRow rb = rows.get(1);
        assertThat(List.of(ra.vendor(), ra.cpuPercent(), ra.gpuPercent(), ra.openAlerts()))
                .containsExactly("Dell", 42.0, 7.0, 0L);
        assertThat(ra.worstSeverity()).as("a resolved incident is not open").isNull();
        assertThat(List.of(rb.openAlerts(), rb.worstSeverity())).containsExactly(2L, "critical");
        assertThat(rb.cpuPercent()).isNull();
        assertThat(rb.sampledAt()).isNull();

        assertThat(systems.changedWithin(java.time.Duration.ofMinutes(1))).contains(a, b);
        db.jdbi.useHandle(h -> {
            h.execute("UPDATE systems SET updated_at = now() - interval '1 hour' WHERE id IN (?, ?)", a, b);
            h.execute("UPDATE alerts SET received_at = now() - interval '1 hour', resolved_at = CASE WHEN resolved_at"
                    + " IS NULL THEN NULL ELSE now() - interval '1 hour' END WHERE system_id IN (?, ?)", a, b);
        });
        assertThat(systems.changedWithin(java.time.Duration.ofMinutes(1))).doesNotContain(a, b);
        db.jdbi.useHandle(h -> h.execute("UPDATE alerts SET resolved_at = now(), state = 'resolved'"
                + " WHERE system_id = ? AND severity = 'warning'", b));
        assertThat(systems.changedWithin(java.time.Duration.ofMinutes(1))).as("an incident resolved").contains(b)
                .doesNotContain(a);

        List<SystemStore.FleetRow> first = systems.fleetFirst(5);
        List<String> names = first.stream().map(r -> (r.hostname() != null ? r.hostname() : r.ipAddress() != null
                ? r.ipAddress() : "").toLowerCase(java.util.Locale.ROOT)).toList();
        assertThat(first).hasSizeLessThanOrEqualTo(5).isNotEmpty();
        assertThat(names).isSortedAccordingTo(java.util.Comparator.naturalOrder());
    }
}
