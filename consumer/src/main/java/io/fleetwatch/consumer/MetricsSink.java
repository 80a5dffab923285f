package io.fleetwatch.consumer;

import static io.fleetwatch.consumer.internal.SqlArrays.micros;
import static io.fleetwatch.consumer.internal.SqlArrays.ts;

import io.fleetwatch.consumer.internal.SqlArrays;
import java.io.StringReader;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;
import io.fleetwatch.messages.MetricsMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores metrics messages: resolves each to a system (its {@code system_id}, or the agent's {@code host_id}, which
 * creates the system on first sight), then inserts the batch with one {@code INSERT … SELECT FROM unnest(…)}.
 * {@code (system_id, collected_at)} is unique, so a redelivered sample is skipped, not duplicated.
 */
public final class MetricsSink implements Sink<MetricsMessage> {
    /** How stale {@code systems.last_seen} may get for a host that keeps reporting. */
    public static final Duration LAST_SEEN_EVERY = Duration.ofMinutes(1);

    /** A host already resolved: its system id, and the hostname and last_seen last written for it. */
    private record Known(long id, String hostname, String ipAddress, Instant lastSeenWritten) {}

    private final Jdbi jdbi;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    // Entries learnt inside a transaction only become known once it commits.
    private final Map<String, Known> pendingCache = new HashMap<>();

    public MetricsSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public synchronized void write(List<MetricsMessage> batch) throws Exception {
        pendingCache.clear();
        try {
            jdbi.useTransaction(h -> {
                Map<String, Long> byHost = upsertAgentHosts(h, batch);
                adoptSystemIds(h, batch);
                insert(h, batch, byHost);
            });
        } catch (Exception e) {
            // A cached id may be what failed (a system deleted meanwhile): resolve afresh on the retry.
            known.clear();
            throw e;
        }
        known.putAll(pendingCache);
    }

    private static void adoptSystemIds(Handle h, List<MetricsMessage> batch) {
        List<Long> ids = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (MetricsMessage m : batch) {
            if (m.systemId() != null) {
                ids.add(m.systemId());
                seen.add(micros(m.collectedAt()));
                hosts.add(m.hostId());
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        SqlArrays.adoptIds(h, "systems", ids);
        // A sample naming both: the system must be that host's (or no agent's yet), else its samples would land on
        // another machine's charts.
        h.createQuery("SELECT x.s, x.h, systems.host_id FROM unnest(:ids, :hosts) AS x(s, h)"
                        + " JOIN systems ON systems.id = x.s"
                        + " WHERE x.h IS NOT NULL AND systems.host_id IS NOT NULL AND systems.host_id <> x.h LIMIT 1")
                .bindArray("ids", Long.class, ids)
                .bindArray("hosts", String.class, hosts)
                .map((rs, ctx) -> "id collision: system_id " + rs.getLong(1) + " is the system of host_id '"
                        + rs.getString(3) + "', not of host_id '" + rs.getString(2) + "'")
                .findFirst()
                .ifPresent(reason -> {
                    throw new Sink.Rejected(reason);
                });
        h.createUpdate("UPDATE systems SET last_seen = greatest(systems.last_seen, " + ts("x.t") + "),"
                        + " status = 'up', updated_at = now()"
                        + " FROM (SELECT s, max(t) AS t FROM unnest(:ids, :ts) AS u(s, t) GROUP BY s) AS x"
                        + " WHERE systems.id = x.s")
                .bindArray("ids", Long.class, ids)
                .bindArray("ts", Long.class, seen)
                .execute();
    }

    /**
     * Resolves the agent hosts of the batch to system ids. Known ids come from a cache; {@code last_seen} and the
     * hostname are written at most once per {@link #LAST_SEEN_EVERY} per host (rewriting a thousand system rows on
     * every batch would cost as much as the samples themselves). Hosts seen for the first time are created, in
     * host_id order so concurrent workers cannot deadlock.
     */
    private Map<String, Long> upsertAgentHosts(Handle h, List<MetricsMessage> batch) {
        TreeMap<String, MetricsMessage> latest = new TreeMap<>();
        for (MetricsMessage m : batch) {
            if (m.systemId() == null) {
                latest.merge(m.hostId(), m, (a, b) -> a.collectedAt().isAfter(b.collectedAt()) ? a : b);
            }
        }
        Map<String, Long> ids = new HashMap<>();
        List<String> hostIds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (MetricsMessage m : latest.values()) {
            Known k = known.get(m.hostId());
            if (k != null && Objects.equals(k.hostname, m.hostname()) && Objects.equals(k.ipAddress, m.ipAddress())
                    && m.collectedAt().isBefore(k.lastSeenWritten.plus(LAST_SEEN_EVERY))) {
                ids.put(m.hostId(), k.id);
                continue;
            }
            hostIds.add(m.hostId());
            names.add(m.hostname());
            times.add(micros(m.collectedAt()));
        }
        if (hostIds.isEmpty()) {
            return ids;
        }
        Map<String, Long> written = new HashMap<>();
        // Known hosts with a plain UPDATE: an INSERT … ON CONFLICT would burn an identity value per batch.
        List<String> ips = new ArrayList<>();
        for (String host : hostIds) {
            ips.add(latest.get(host).ipAddress());
        }
        h.createQuery("UPDATE systems SET hostname = coalesce(x.n, systems.hostname),"
                        + " ip_address = coalesce(x.ip::inet, systems.ip_address),"
                        + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), status = 'up', updated_at = now()"
                        + " FROM unnest(:h, :n, :t, :ip) AS x(h, n, t, ip) WHERE systems.host_id = x.h RETURNING id, host_id")
                .bindArray("h", String.class, hostIds)
                .bindArray("n", String.class, names)
                .bindArray("t", Long.class, times)
                .bindArray("ip", String.class, ips)
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                .forEach(e -> written.put(e.getKey(), e.getValue()));
        if (written.size() < hostIds.size()) {
            List<String> newHosts = new ArrayList<>();
            List<String> newNames = new ArrayList<>();
            List<Long> newTimes = new ArrayList<>();
            List<String> newMacs = new ArrayList<>();
            List<String> newIps = new ArrayList<>();
            for (int i = 0; i < hostIds.size(); i++) {
                if (!written.containsKey(hostIds.get(i))) {
                    MetricsMessage m = latest.get(hostIds.get(i));
                    newHosts.add(hostIds.get(i));
                    newNames.add(names.get(i));
                    newTimes.add(times.get(i));
                    newMacs.add(m.macAddress());
                    newIps.add(m.ipAddress());
                }
            }
            // First sight of an agent whose MAC the scanner already found: that system is this host.
            NewHosts fresh = new NewHosts(newHosts, newNames, newTimes, newMacs, newIps);
            fresh.resolve(h, "UPDATE systems SET host_id = x.h, hostname = coalesce(x.n, systems.hostname),"
                            + " ip_address = coalesce(x.ip::inet, systems.ip_address), status = 'up',"
                            + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), updated_at = now()"
                            + " FROM unnest(:h, :n, :t, :mac, :ip) AS x(h, n, t, mac, ip)"
                            + " WHERE x.mac IS NOT NULL AND systems.mac_address = x.mac::macaddr AND systems.host_id IS NULL"
                            + " RETURNING id, host_id", written);
            // Otherwise a new system. DO UPDATE (not DO NOTHING) so RETURNING yields the id when another worker won
            // the race; a MAC some other system already has is not repeated (it is unique), nor is one that two
            // new hosts of this batch share (cloned machines): the first of them keeps it.
            fresh.resolve(h, "INSERT INTO systems (host_id, hostname, status, last_seen, mac_address, ip_address)"
                            + " SELECT h, n, 'up', " + ts("t") + ", CASE WHEN EXISTS (SELECT 1 FROM systems o"
                            + " WHERE o.mac_address = x.mac::macaddr) OR row_number() OVER (PARTITION BY x.mac"
                            + " ORDER BY x.h) > 1 THEN NULL ELSE x.mac::macaddr END, x.ip::inet"
                            + " FROM unnest(:h, :n, :t, :mac, :ip) AS x(h, n, t, mac, ip)"
                            + " WHERE NOT EXISTS (SELECT 1 FROM systems s WHERE s.host_id = x.h)"
                            + " ON CONFLICT (host_id) DO UPDATE SET hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                            + " last_seen = greatest(systems.last_seen, EXCLUDED.last_seen), status = 'up', updated_at = now()"
                            + " RETURNING id, host_id", written);
        }
        if (written.size() < hostIds.size()) {
            // Another consumer created some of these hosts between our UPDATE and our INSERT (each statement sees
            // what was committed before it began): the INSERT skipped them and returned nothing; read their ids.
            List<String> missing = hostIds.stream().filter(x -> !written.containsKey(x)).toList();
            h.createQuery("SELECT id, host_id FROM systems WHERE host_id = ANY(:h)")
                    .bindArray("h", String.class, missing)
                    .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                    .forEach(e -> written.put(e.getKey(), e.getValue()));
        }
        ids.putAll(written);
        for (Map.Entry<String, Long> e : written.entrySet()) {
            MetricsMessage m = latest.get(e.getKey());
            pendingCache.put(e.getKey(), new Known(e.getValue(), m.hostname(), m.ipAddress(), m.collectedAt()));
        }
        return ids;
    }

    /** Agent hosts seen for the first time, as the columns of an {@code unnest(:h, :n, :t, :mac, :ip)}. */
    private record NewHosts(List<String> hosts, List<String> names, List<Long> times, List<String> macs,
                            List<String> ips) {
        /** Runs a statement over them that returns {@code (id, host_id)} and collects those into {@code ids}. */
        void resolve(Handle h, String sql, Map<String, Long> ids) {
            h.createQuery(sql)
                    .bindArray("h", String.class, hosts)
                    .bindArray("n", String.class, names)
                    .bindArray("t", Long.class, times)
                    .bindArray("mac", String.class, macs)
                    .bindArray("ip", String.class, ips)
                    .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                    .forEach(e -> ids.put(e.getKey(), e.getValue()));
        }
    }

    /**
     * Fast path: COPY the batch straight into {@code metrics} under a savepoint, which costs what a raw COPY costs.
     * A batch holding a sample that is already stored (a redelivery) makes that COPY fail on the unique key; then the
     * batch goes through a temp table and {@code INSERT … ON CONFLICT DO NOTHING}, which skips the duplicates. Both
     * ways the statement triggers (alerts, rollup) fire once for the batch and see only the rows really inserted.
     */
    private static void insert(Handle h, List<MetricsMessage> batch, Map<String, Long> byHost) throws Exception {
        String rows = copyText(batch, byHost);
        java.sql.Connection c = h.getConnection();
        CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
        java.sql.Savepoint sp = c.setSavepoint();
        try {
            copy.copyIn("COPY metrics (" + COLUMNS + ") FROM STDIN", new StringReader(rows));
            c.releaseSavepoint(sp);
            return;
        } catch (java.sql.SQLException e) {
            if (!"23505".equals(e.getSQLState())) { // not a duplicate: let the worker classify it
                throw e;
            }
            c.rollback(sp);
        }
        h.execute("CREATE TEMP TABLE IF NOT EXISTS metrics_in (system_id bigint, collected_at timestamptz,"
                + " cpu_percent float8, ram_percent float8, disk_percent float8, network_sent_mbps float8,"
                + " network_recv_mbps float8, gpu_percent float8, uptime_seconds bigint, logged_in_users int,"
                + " source_seq bigint) ON COMMIT DELETE ROWS");
        copy.copyIn("COPY metrics_in FROM STDIN", new StringReader(rows));
        h.execute("INSERT INTO metrics (" + COLUMNS + ") SELECT " + COLUMNS + " FROM metrics_in"
                + " ON CONFLICT (system_id, collected_at) DO NOTHING");
    }

    /** The batch in COPY text format (tab-separated, \\N for null); values are validated numbers and instants. */
    private static String copyText(List<MetricsMessage> batch, Map<String, Long> byHost) {
        StringBuilder sb = new StringBuilder(batch.size() * 96);
        for (MetricsMessage m : batch) {
            MetricsMessage.Metrics x = m.metrics();
            Long system = m.systemId() != null ? m.systemId() : byHost.get(m.hostId());
            if (system == null) { // never write "null" into the key: a bug, not bad input, so no dead-lettering
                throw new IllegalStateException("no system id resolved for host_id " + m.hostId());
            }
            sb.append(system).append('\t')
                    .append(m.collectedAt()).append('\t')
                    .append(x.cpuPercent()).append('\t')
                    .append(x.ramPercent()).append('\t')
                    .append(x.diskPercent()).append('\t')
                    .append(x.networkSentMbps()).append('\t')
                    .append(x.networkRecvMbps()).append('\t')
                    .append(x.gpuPercent() == null ? "\\N" : x.gpuPercent()).append('\t')
                    .append(x.uptimeSeconds()).append('\t')
                    .append(x.loggedInUsers()).append('\t')
                    .append(m.seq() == null ? "\\N" : m.seq()).append('\n');
        }
        return sb.toString();
    }

    static final String COLUMNS = "system_id, collected_at, cpu_percent, ram_percent, disk_percent, network_sent_mbps,"
            + " network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, source_seq";
}
