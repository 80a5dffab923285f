package io.fleetwatch.consumer;

import static io.fleetwatch.consumer.internal.SqlArrays.micros;
import static io.fleetwatch.consumer.internal.SqlArrays.ts;

import io.fleetwatch.consumer.internal.SqlArrays;
import io.fleetwatch.messages.MetricsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Stores metrics messages: resolves each to a system (seed {@code system_id}, or the agent's {@code host_id}, which
 * creates the system on first sight), then inserts the batch with one {@code INSERT … SELECT FROM unnest(…)}.
 * {@code (system_id, collected_at)} is unique, so a redelivered sample is skipped, not duplicated.
 */
public final class MetricsSink implements Sink<MetricsMessage> {
    private final Jdbi jdbi;

    public MetricsSink(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    @Override
    public void write(List<MetricsMessage> batch) {
        jdbi.useTransaction(h -> {
            Map<String, Long> byHost = upsertAgentHosts(h, batch);
            adoptSystemIds(h, batch);
            insert(h, batch, byHost);
        });
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

    /** One upsert for all agent hosts of the batch, in host_id order so concurrent workers cannot deadlock. */
    private static Map<String, Long> upsertAgentHosts(Handle h, List<MetricsMessage> batch) {
        TreeMap<String, MetricsMessage> latest = new TreeMap<>();
        for (MetricsMessage m : batch) {
            if (m.systemId() == null) {
                latest.merge(m.hostId(), m, (a, b) -> a.collectedAt().isAfter(b.collectedAt()) ? a : b);
            }
        }
        Map<String, Long> ids = new HashMap<>();
        if (latest.isEmpty()) {
            return ids;
        }
        List<String> hostIds = new ArrayList<>(latest.keySet());
        List<String> names = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        for (MetricsMessage m : latest.values()) {
            names.add(m.hostname());
            times.add(micros(m.collectedAt()));
        }
        // Known hosts first with a plain UPDATE: an INSERT … ON CONFLICT would burn an identity value per batch.
        h.createQuery("UPDATE systems SET hostname = coalesce(x.n, systems.hostname),"
                        + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), status = 'up', updated_at = now()"
                        + " FROM unnest(:h, :n, :t) AS x(h, n, t) WHERE systems.host_id = x.h RETURNING id, host_id")
                .bindArray("h", String.class, hostIds)
                .bindArray("n", String.class, names)
                .bindArray("t", Long.class, times)
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                .forEach(e -> ids.put(e.getKey(), e.getValue()));
        if (ids.size() == hostIds.size()) {
            return ids;
        }
        List<String> newHosts = new ArrayList<>();
        List<String> newNames = new ArrayList<>();
        List<Long> newTimes = new ArrayList<>();
        for (int i = 0; i < hostIds.size(); i++) {
            if (!ids.containsKey(hostIds.get(i))) {
                newHosts.add(hostIds.get(i));
                newNames.add(names.get(i));
                newTimes.add(times.get(i));
            }
        }
        // First sight. DO UPDATE (not DO NOTHING) so RETURNING also yields the id when another worker won the race.
        h.createQuery("INSERT INTO systems (host_id, hostname, status, last_seen)"
                        + " SELECT h, n, 'up', " + ts("t") + " FROM unnest(:h, :n, :t) AS x(h, n, t)"
                        + " ON CONFLICT (host_id) DO UPDATE SET hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                        + " last_seen = greatest(systems.last_seen, EXCLUDED.last_seen), status = 'up', updated_at = now()"
                        + " RETURNING id, host_id")
                .bindArray("h", String.class, newHosts)
                .bindArray("n", String.class, newNames)
                .bindArray("t", Long.class, newTimes)
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                .forEach(e -> ids.put(e.getKey(), e.getValue()));
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
