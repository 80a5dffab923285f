package io.fleetwatch.consumer;

import static io.fleetwatch.consumer.internal.SqlArrays.micros;
import static io.fleetwatch.consumer.internal.SqlArrays.ts;

import io.fleetwatch.consumer.internal.SqlArrays;
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
 * Stores metrics messages: resolves each to a system (seed {@code system_id}, or the agent's {@code host_id}, which
 * creates the system on first sight), then inserts the batch with one {@code INSERT … SELECT FROM unnest(…)}.
 * {@code (system_id, collected_at)} is unique, so a redelivered sample is skipped, not duplicated.
 */
public final class MetricsSink implements Sink<MetricsMessage> {
    /** How stale {@code systems.last_seen} may get for a host that keeps reporting. */
    public static final Duration LAST_SEEN_EVERY = Duration.ofMinutes(1);

    /** A host already resolved: its system id, and the hostname and last_seen last written for it. */
    private record Known(long id, String hostname, Instant lastSeenWritten) {}

    private final Jdbi jdbi;
    private final Map<String, Known> known = new ConcurrentHashMap<>();
    // Entries learnt inside a transaction only become known once it commits.
    private final Map<String, Known> pendingCache = new HashMap<>();

    public MetricsSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public synchronized void write(List<MetricsMessage> batch) {
        pendingCache.clear();
        try {
            jdbi.useTransaction(h -> {
                Map<String, Long> byHost = upsertAgentHosts(h, batch);
                adoptSystemIds(h, batch);
                insert(h, batch, byHost);
            });
        } catch (RuntimeException e) {
            // A cached id may be what failed (a system deleted meanwhile): resolve afresh on the retry.
            known.clear();
            throw e;
        }
        known.putAll(pendingCache);
    }

    private static void adoptSystemIds(Handle h, List<MetricsMessage> batch) {
        List<Long> ids = new ArrayList<>();
        List<Long> seen = new ArrayList<>();
        for (MetricsMessage m : batch) {
            if (m.systemId() != null) {
                ids.add(m.systemId());
                seen.add(micros(m.collectedAt()));
            }
        }
        if (ids.isEmpty()) {
            return;
        }
        SqlArrays.adoptIds(h, "systems", ids);
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
            if (k != null && Objects.equals(k.hostname, m.hostname())
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
        h.createQuery("UPDATE systems SET hostname = coalesce(x.n, systems.hostname),"
                        + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), status = 'up', updated_at = now()"
                        + " FROM unnest(:h, :n, :t) AS x(h, n, t) WHERE systems.host_id = x.h RETURNING id, host_id")
                .bindArray("h", String.class, hostIds)
                .bindArray("n", String.class, names)
                .bindArray("t", Long.class, times)
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                .forEach(e -> written.put(e.getKey(), e.getValue()));
        if (written.size() < hostIds.size()) {
            List<String> newHosts = new ArrayList<>();
            List<String> newNames = new ArrayList<>();
            List<Long> newTimes = new ArrayList<>();
            for (int i = 0; i < hostIds.size(); i++) {
                if (!written.containsKey(hostIds.get(i))) {
                    newHosts.add(hostIds.get(i));
                    newNames.add(names.get(i));
                    newTimes.add(times.get(i));
                }
            }
            // First sight. DO UPDATE (not DO NOTHING) so RETURNING yields the id when another worker won the race.
            h.createQuery("INSERT INTO systems (host_id, hostname, status, last_seen)"
                            + " SELECT h, n, 'up', " + ts("t") + " FROM unnest(:h, :n, :t) AS x(h, n, t)"
                            + " ON CONFLICT (host_id) DO UPDATE SET hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                            + " last_seen = greatest(systems.last_seen, EXCLUDED.last_seen), status = 'up', updated_at = now()"
                            + " RETURNING id, host_id")
                    .bindArray("h", String.class, newHosts)
                    .bindArray("n", String.class, newNames)
                    .bindArray("t", Long.class, newTimes)
                    .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                    .forEach(e -> written.put(e.getKey(), e.getValue()));
        }
        ids.putAll(written);
        for (Map.Entry<String, Long> e : written.entrySet()) {
            MetricsMessage m = latest.get(e.getKey());
            pendingCache.put(e.getKey(), new Known(e.getValue(), m.hostname(), m.collectedAt()));
        }
        return ids;
    }

    private static void insert(Handle h, List<MetricsMessage> batch, Map<String, Long> byHost) {
        int n = batch.size();
        List<Long> sys = new ArrayList<>(n);
        List<Long> t = new ArrayList<>(n);
        List<Double> cpu = new ArrayList<>(n);
        List<Double> ram = new ArrayList<>(n);
        List<Double> disk = new ArrayList<>(n);
        List<Double> sent = new ArrayList<>(n);
        List<Double> recv = new ArrayList<>(n);
        List<Double> gpu = new ArrayList<>(n);
        List<Long> up = new ArrayList<>(n);
        List<Integer> users = new ArrayList<>(n);
        List<Long> seq = new ArrayList<>(n);
        for (MetricsMessage m : batch) {
            MetricsMessage.Metrics x = m.metrics();
            sys.add(m.systemId() != null ? m.systemId() : byHost.get(m.hostId()));
            t.add(micros(m.collectedAt()));
            cpu.add(x.cpuPercent());
            ram.add(x.ramPercent());
            disk.add(x.diskPercent());
            sent.add(x.networkSentMbps());
            recv.add(x.networkRecvMbps());
            gpu.add(x.gpuPercent());
            up.add(x.uptimeSeconds());
            users.add(x.loggedInUsers());
            seq.add(m.seq());
        }
        h.createUpdate("INSERT INTO metrics (system_id, collected_at, cpu_percent, ram_percent, disk_percent,"
                        + " network_sent_mbps, network_recv_mbps, gpu_percent, uptime_seconds, logged_in_users, source_seq)"
                        + " SELECT s, " + ts("t") + ", c, r, d, ns, nr, g, u, l, q"
                        + " FROM unnest(:s, :t, :c, :r, :d, :ns, :nr, :g, :u, :l, :q) AS x(s, t, c, r, d, ns, nr, g, u, l, q)"
                        + " ON CONFLICT (system_id, collected_at) DO NOTHING")
                .bindArray("s", Long.class, sys)
                .bindArray("t", Long.class, t)
                .bindArray("c", Double.class, cpu)
                .bindArray("r", Double.class, ram)
                .bindArray("d", Double.class, disk)
                .bindArray("ns", Double.class, sent)
                .bindArray("nr", Double.class, recv)
                .bindArray("g", Double.class, gpu)
                .bindArray("u", Long.class, up)
                .bindArray("l", Integer.class, users)
                .bindArray("q", Long.class, seq)
                .execute();
    }
}
