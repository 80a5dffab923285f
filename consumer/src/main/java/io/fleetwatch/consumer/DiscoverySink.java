package io.fleetwatch.consumer;

import io.fleetwatch.consumer.internal.SqlArrays;
import io.fleetwatch.messages.DiscoveryMessage;
import java.util.List;
import java.util.Objects;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Upserts discovered hosts into {@code systems}: one row per MAC when the MAC is known (on-link scans), else per IP
 * among MAC-less rows. Departments and scans named by id but unknown here are adopted as placeholder rows.
 */
public final class DiscoverySink implements Sink<DiscoveryMessage> {
    private final Jdbi jdbi;

    public DiscoverySink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void write(List<DiscoveryMessage> batch) {
        jdbi.useTransaction(h -> {
            SqlArrays.adoptIds(h, "departments", batch.stream().map(m -> (long) m.deptId()).distinct().toList());
            SqlArrays.adoptIds(h, "scans", batch.stream().map(DiscoveryMessage::scanId).filter(Objects::nonNull).distinct().toList());
            for (DiscoveryMessage m : batch) {
                upsert(h, m);
            }
        });
    }

    private static void upsert(Handle h, DiscoveryMessage m) {
        if (m.macAddress() != null) {
            h.createUpdate("INSERT INTO systems (mac_address, ip_address, hostname, vendor, dept_id, status, last_seen,"
                            + " last_scan_id) VALUES (:mac::macaddr, :ip::inet, :hn, :vendor, :dept, 'up', :t, :scan)"
                            + " ON CONFLICT (mac_address) WHERE mac_address IS NOT NULL DO UPDATE SET"
                            + " ip_address = EXCLUDED.ip_address, hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                            + " vendor = coalesce(EXCLUDED.vendor, systems.vendor),"
                            + " dept_id = EXCLUDED.dept_id, status = 'up', last_scan_id = coalesce(EXCLUDED.last_scan_id,"
                            + " systems.last_scan_id), last_seen = greatest(systems.last_seen, EXCLUDED.last_seen),"
                            + " updated_at = now()")
                    .bindMap(params(m))
                    .execute();
            return;
        }
        // without a MAC (none, or a placeholder the contract dropped) the IP is the identity; the vendor is kept too
        int updated = h.createUpdate("UPDATE systems SET hostname = coalesce(:hn, hostname), dept_id = :dept,"
                        + " vendor = coalesce(:vendor, vendor),"
                        + " status = 'up', last_seen = greatest(last_seen, :t), last_scan_id = coalesce(:scan, last_scan_id),"
                        + " updated_at = now()"
                        + " WHERE id = (SELECT id FROM systems WHERE ip_address = :ip::inet AND mac_address IS NULL"
                        + " ORDER BY last_seen DESC NULLS LAST LIMIT 1)")
                .bindMap(params(m))
                .execute();
        if (updated == 0) {
            h.createUpdate("INSERT INTO systems (ip_address, hostname, vendor, dept_id, status, last_seen, last_scan_id)"
                            + " VALUES (:ip::inet, :hn, :vendor, :dept, 'up', :t, :scan)")
                    .bindMap(params(m))
                    .execute();
        }
    }

    private static java.util.Map<String, Object> params(DiscoveryMessage m) {
        java.util.Map<String, Object> p = new java.util.HashMap<>();
        p.put("mac", m.macAddress());
        p.put("ip", m.ipAddress());
        p.put("hn", m.hostname());
        p.put("vendor", m.vendor());
        p.put("dept", m.deptId());
        p.put("t", java.time.OffsetDateTime.ofInstant(m.discoveredAt(), java.time.ZoneOffset.UTC));
        p.put("scan", m.scanId());
        return p;
    }
}
