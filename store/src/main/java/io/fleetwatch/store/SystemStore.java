package io.fleetwatch.store;

import static io.fleetwatch.store.Stores.instant;
import static io.fleetwatch.store.Stores.micros;
import static io.fleetwatch.store.Stores.nullableInt;
import static io.fleetwatch.store.Stores.ts;
import static io.fleetwatch.store.Stores.utc;

import io.fleetwatch.messages.DiscoveryMessage;
import jakarta.annotation.Nullable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Owner of {@code systems}, {@code system_identity_history} and {@code departments}: the hosts the scanner
 * discovers and the agents report, their identity changes, and the departments they belong to.
 */
public final class SystemStore {
    /**
     * A system with its latest sample (null before the first) and its open alert incidents; {@code retiredAt}: when
     * it was retired on purpose (no-data detection leaves it alone), null while in service.
     */
    public record Host(long systemId, @Nullable String hostId, @Nullable String hostname, @Nullable String ipAddress,
                       @Nullable String macAddress, @Nullable Integer deptId, String status, Instant firstSeen,
                       @Nullable Instant lastSeen, @Nullable Instant retiredAt, long openAlerts,
                       @Nullable MetricStore.Sample latest) {
        public Host {
            Objects.requireNonNull(status, "status");
        }
    }

    /**
     * One row of the web page's fleet table: identity, department, status, open alerts (how many, the worst
     * severity: critical, warning, info, or null when none) and the latest sample's gauges (null before the first).
     */
    public record FleetRow(long systemId, @Nullable String hostname, @Nullable String ipAddress,
                           @Nullable String macAddress, @Nullable String vendor, @Nullable Integer deptId,
                           String status, @Nullable Instant lastSeen, @Nullable Instant retiredAt, long openAlerts,
                           @Nullable String worstSeverity, @Nullable Instant sampledAt, @Nullable Double cpuPercent,
                           @Nullable Double ramPercent, @Nullable Double diskPercent, @Nullable Double gpuPercent) {
        public FleetRow {
            Objects.requireNonNull(status, "status");
            if (worstSeverity != null && !List.of("critical", "warning", "info").contains(worstSeverity)) {
                throw new IllegalArgumentException("worstSeverity: critical, warning, info or null, not " + worstSeverity);
            }
        }
    }

    /** One observed identity of a system (written by a trigger whenever IP, MAC or hostname changes). */
    public record IdentityChange(@Nullable String ipAddress, @Nullable String macAddress, @Nullable String hostname,
                                 Instant observedAt) {}

    /** A department with how many systems it has and how many of them are down. */
    public record Department(int id, @Nullable String name, long hosts, long hostsDown) {}

    /** Systems by status. */
    public record StatusCounts(long up, long down, long unknown) {}

    /** A system the collector may reach over SSH. */
    public record SshTarget(long systemId, String host, int port, String user) {}

    /**
     * The list filters: department, status (up, down, unknown), and a text that the hostname, IP or MAC contains
     * (case-insensitive, taken literally: % and _ are characters, not wildcards). Each may be null (no filter).
     */
    public record HostFilter(Integer dept, String status, String search) {
        public static final List<String> STATUSES = List.of("up", "down", "unknown");

        public HostFilter {
            if (status != null && !STATUSES.contains(status)) {
                throw new IllegalArgumentException("status must be up, down or unknown");
            }
        }

        public static HostFilter all() {
            return new HostFilter(null, null, null);
        }

        // '!' escapes: a backslash inside a quoted literal confuses Jdbi's parser of :named parameters
        String like() {
            return search == null ? null
                    : "%" + search.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        }
    }

    /** An agent host of a metrics batch: its identity and the time of its latest sample there. */
    public record AgentHost(String hostId, String hostname, String ipAddress, String macAddress, Instant seenAt) {
        public AgentHost {
            Objects.requireNonNull(hostId, "hostId");
            Objects.requireNonNull(seenAt, "seenAt");
        }
    }

    /** A sample that names its system by id (the producer knew it), with the agent's host_id if it sent one. */
    public record NamedSystem(long systemId, String hostId, Instant seenAt) {
        public NamedSystem {
            Objects.requireNonNull(seenAt, "seenAt");
        }
    }

    /** A system id that belongs to another agent host than the one a message says: the message is at fault. */
    public static final class IdCollision extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IdCollision(String reason) {
            super(reason);
        }
    }

    /** Systems with their latest sample and open alerts; callers add WHERE / ORDER BY (the overview too). */
    static final String WITH_LATEST = """
            SELECT s.id AS system_id, s.host_id, s.hostname, host(s.ip_address) AS ip_address,
                   upper(s.mac_address::text) AS mac_address, s.dept_id, s.status, s.first_seen, s.last_seen, s.retired_at,
                   m.collected_at, %s,
                   (SELECT count(*) FROM alerts a WHERE a.system_id = s.id AND a.resolved_at IS NULL) AS open_alerts
            FROM systems s
            LEFT JOIN LATERAL (SELECT * FROM metrics WHERE system_id = s.id
                               ORDER BY collected_at DESC LIMIT 1) m ON true
            """.formatted(io.fleetwatch.messages.MetricCatalog.DEFAULT.names().stream().map(n -> "m." + n)
            .collect(java.util.stream.Collectors.joining(", ")));

    private static final String FILTER = " WHERE (CAST(:dept AS integer) IS NULL OR s.dept_id = :dept)"
            + " AND (CAST(:status AS text) IS NULL OR s.status = :status)"
            + " AND (CAST(:search AS text) IS NULL OR s.hostname ILIKE :like ESCAPE '!'"
            + " OR host(s.ip_address) LIKE :like ESCAPE '!' OR s.mac_address::text ILIKE :like ESCAPE '!')";

    private final Jdbi jdbi;

    public SystemStore(Jdbi jdbi) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
    }

    // ---- reads

    public long count(HostFilter f) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems s" + FILTER)
                .bind("dept", f.dept()).bind("status", f.status()).bind("search", f.search()).bind("like", f.like())
                .mapTo(Long.class).one());
    }

    /** One page of systems, by id. */
    public List<Host> page(HostFilter f, int limit, int offset) {
        return jdbi.withHandle(h -> h.createQuery(WITH_LATEST + FILTER + " ORDER BY s.id LIMIT :limit OFFSET :offset")
                .bind("dept", f.dept()).bind("status", f.status()).bind("search", f.search()).bind("like", f.like())
                .bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> host(rs)).list());
    }

    public Optional<Host> find(long id) {
        return jdbi.withHandle(h -> h.createQuery(WITH_LATEST + " WHERE s.id = :id").bind("id", id)
                .map((rs, ctx) -> host(rs)).findOne());
    }

    public boolean exists(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems WHERE id = :id").bind("id", id)
                .mapTo(Integer.class).one() > 0);
    }

    /** The identity history of a system, newest first (at most 100). */
    public List<IdentityChange> identityHistory(long id) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT host(ip_address) AS ip_address, upper(mac_address::text) AS mac_address, hostname,
                               observed_at
                        FROM system_identity_history WHERE system_id = :id ORDER BY observed_at DESC, id DESC LIMIT 100""")
                .bind("id", id)
                .map((rs, ctx) -> new IdentityChange(rs.getString("ip_address"), rs.getString("mac_address"),
                        rs.getString("hostname"), instant(rs, "observed_at")))
                .list());
    }

    public List<Department> departments() {
        return jdbi.withHandle(h -> h.createQuery("SELECT d.id, d.name, count(s.id) AS hosts,"
                        + " count(s.id) FILTER (WHERE s.status = 'down') AS hosts_down FROM departments d"
                        + " LEFT JOIN systems s ON s.dept_id = d.id GROUP BY d.id ORDER BY d.id")
                .map((rs, ctx) -> new Department(rs.getInt("id"), rs.getString("name"), rs.getLong("hosts"),
                        rs.getLong("hosts_down")))
                .list());
    }

    public StatusCounts countByStatus() {
        return jdbi.withHandle(h -> {
            Map<String, Long> n = new HashMap<>();
            h.createQuery("SELECT status, count(*) FROM systems GROUP BY status")
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                    .forEach(e -> n.put(e.getKey(), e.getValue()));
            return new StatusCounts(n.getOrDefault("up", 0L), n.getOrDefault("down", 0L),
                    n.getOrDefault("unknown", 0L));
        });
    }

    /**
     * The fleet table's rows, by id: every system, or only those in {@code ids} (null: all). One statement: the
     * latest sample per system by its index, the open alerts grouped once.
     */
    public List<FleetRow> fleet(@Nullable Collection<Long> ids) {
        return jdbi.withHandle(h -> h.createQuery(fleetFrom("systems") + " WHERE CAST(:all AS boolean) OR s.id = ANY(:ids)"
                        + " ORDER BY s.id")
                .bind("all", ids == null)
                .bindArray("ids", Long.class, ids == null ? List.of() : List.copyOf(ids))
                .map((rs, ctx) -> fleetRow(rs))
                .list());
    }

    /**
     * The first {@code limit} rows by name (hostname, else address; lower case, code point order, then id): the
     * page's first screen while the whole list is on its way. The systems are sorted first, so only these rows
     * look up their latest sample.
     */
    public List<FleetRow> fleetFirst(int limit) {
        String byName = "ORDER BY lower(coalesce(s.hostname, host(s.ip_address), '')) COLLATE \"C\", s.id";
        return jdbi.withHandle(h -> h.createQuery(fleetFrom("(SELECT * FROM systems s " + byName + " LIMIT :n)") + byName)
                .bind("n", limit)
                .map((rs, ctx) -> fleetRow(rs))
                .list());
    }

    public long countAll() {
        return jdbi.withHandle(h -> h.createQuery("SELECT count(*) FROM systems").mapTo(Long.class).one());
    }

    /** The fleet rows' query over {@code systems} (a table or a subquery), to which callers add WHERE / ORDER BY. */
    private static String fleetFrom(String systems) {
        return """
            SELECT s.id, s.hostname, host(s.ip_address) AS ip_address, upper(s.mac_address::text) AS mac,
                   s.vendor, s.dept_id, s.status, s.last_seen, s.retired_at, coalesce(a.n, 0) AS open_alerts,
                   CASE a.worst WHEN 3 THEN 'critical' WHEN 2 THEN 'warning' WHEN 1 THEN 'info' END AS worst,
                   m.collected_at, m.cpu_percent, m.ram_percent, m.disk_percent, m.gpu_percent
            FROM %s s
            LEFT JOIN LATERAL (SELECT collected_at, cpu_percent, ram_percent, disk_percent, gpu_percent
                               FROM metrics WHERE system_id = s.id
                               ORDER BY collected_at DESC LIMIT 1) m ON true
            LEFT JOIN (SELECT system_id, count(*) AS n,
                              max(CASE severity WHEN 'critical' THEN 3 WHEN 'warning' THEN 2 ELSE 1 END) AS worst
                       FROM alerts WHERE resolved_at IS NULL GROUP BY system_id) a ON a.system_id = s.id
            """.formatted(systems);
    }

    private static FleetRow fleetRow(ResultSet rs) throws SQLException {
        return new FleetRow(rs.getLong("id"), rs.getString("hostname"), rs.getString("ip_address"), rs.getString("mac"),
                rs.getString("vendor"), nullableInt(rs, "dept_id"), rs.getString("status"), instant(rs, "last_seen"),
                instant(rs, "retired_at"), rs.getLong("open_alerts"), rs.getString("worst"),
                instant(rs, "collected_at"), Stores.nullableDouble(rs, "cpu_percent"),
                Stores.nullableDouble(rs, "ram_percent"), Stores.nullableDouble(rs, "disk_percent"),
                Stores.nullableDouble(rs, "gpu_percent"));
    }

    /**
     * Systems whose row or alerts may have changed within the last {@code window} of the database's clock: the row
     * was written ({@code updated_at}: a sample arrived, a scan saw it, its status moved) or an incident of it was
     * received or resolved. A transaction's now() is its start, so callers look a few seconds further back than their
     * last look and compare what they get.
     */
    public List<Long> changedWithin(java.time.Duration window) {
        return jdbi.withHandle(h -> h.createQuery("SELECT id FROM systems WHERE updated_at > now() - CAST(:w AS interval)"
                        + " UNION SELECT system_id FROM alerts WHERE received_at > now() - CAST(:w AS interval)"
                        + " OR resolved_at > now() - CAST(:w AS interval)")
                .bind("w", window.toMillis() + " milliseconds").mapTo(Long.class).list());
    }

    /** Systems with an SSH user and an address or name to reach, by id (what {@code fleetwatch collect} polls). */
    public List<SshTarget> sshTargets() {
        return jdbi.withHandle(h -> h.createQuery("SELECT id, coalesce(host(ip_address), hostname) AS host, ssh_user,"
                        + " coalesce(ssh_port, 22) AS port FROM systems WHERE ssh_user IS NOT NULL"
                        + " AND coalesce(host(ip_address), hostname) IS NOT NULL ORDER BY id")
                .map((rs, ctx) -> new SshTarget(rs.getLong("id"), rs.getString("host"), rs.getInt("port"),
                        rs.getString("ssh_user")))
                .list());
    }

    /** Every column of one system, with its open alerts and last sample time, in column order (for inspection). */
    public Optional<Map<String, Object>> inspect(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT s.*, (SELECT count(*) FROM alerts a WHERE a.system_id = s.id"
                        + " AND a.resolved_at IS NULL) AS open_alerts, (SELECT max(collected_at) FROM metrics m"
                        + " WHERE m.system_id = s.id) AS last_sample FROM systems s WHERE s.id = :id")
                .bind("id", id).map((rs, ctx) -> columns(rs)).findOne());
    }

    static Map<String, Object> columns(ResultSet rs) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
            row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
        }
        return row;
    }

    static Host host(ResultSet rs) throws SQLException {
        return new Host(rs.getLong("system_id"), rs.getString("host_id"), rs.getString("hostname"),
                rs.getString("ip_address"), rs.getString("mac_address"), nullableInt(rs, "dept_id"),
                rs.getString("status"), instant(rs, "first_seen"), instant(rs, "last_seen"), instant(rs, "retired_at"),
                rs.getLong("open_alerts"),
                rs.getObject("collected_at") == null ? null : MetricStore.sample(rs));
    }

    // ---- writes

    /**
     * Retires the system at {@code at} (switched off or given away on purpose: no-data detection ignores it), or with
     * null puts it back in service; a system already retired keeps its time. False when there is no such system.
     */
    public boolean setRetired(long id, @Nullable Instant at) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE systems SET retired_at = CASE WHEN CAST(:at AS timestamptz)"
                        + " IS NULL THEN NULL ELSE coalesce(retired_at, :at) END WHERE id = :id")
                .bind("at", utc(at)).bind("id", id).execute()) == 1;
    }

    /** Adopts system ids that producers named but this database never issued (placeholder rows). */
    public void adoptSystems(Collection<Long> ids) {
        jdbi.useHandle(h -> Stores.adoptIds(h, "systems", ids));
    }

    /** Adopts department ids that producers named but this database never issued. */
    public void adoptDepartments(Collection<Long> ids) {
        jdbi.useHandle(h -> Stores.adoptIds(h, "departments", ids));
    }

    /**
     * Adopts scan ids a discovery names before this database knows them: the row a system's {@code last_scan_id}
     * points at must exist first (the scan's other columns are the scans owner's).
     */
    public void adoptScans(Collection<Long> ids) {
        jdbi.useHandle(h -> Stores.adoptIds(h, "scans", ids));
    }

    /** The status a collector or probe found for a system (up or down). */
    public void setStatus(long id, String status) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE systems SET status = :s, updated_at = now() WHERE id = :id")
                .bind("s", status).bind("id", id).execute());
    }

    /** The row that stands for a non-host source of alerts (the pipeline itself), created on first use; its id. */
    public long service(String hostId, String hostname) {
        return jdbi.withHandle(h -> h.createQuery("INSERT INTO systems (host_id, hostname, status)"
                        + " VALUES (:h, :n, 'up') ON CONFLICT (host_id) DO UPDATE SET updated_at = now() RETURNING id")
                .bind("h", hostId).bind("n", hostname).mapTo(Long.class).one());
    }

    /**
     * Samples that name their system by id: the ids are adopted, a system that is another agent host's is refused
     * ({@link IdCollision}), and each system's {@code last_seen} moves to its latest sample.
     */
    public void markSeen(List<NamedSystem> named) {
        if (named.isEmpty()) {
            return;
        }
        List<Long> ids = named.stream().map(NamedSystem::systemId).toList();
        List<String> hosts = named.stream().map(NamedSystem::hostId).toList();
        List<Long> seen = named.stream().map(n -> micros(n.seenAt())).toList();
        jdbi.useHandle(h -> {
            Stores.adoptIds(h, "systems", ids);
            // A sample naming both: the system must be that host's (or no agent's yet), else its samples would land
            // on another machine's charts.
            h.createQuery("SELECT x.s, x.h, systems.host_id FROM unnest(:ids, :hosts) AS x(s, h)"
                            + " JOIN systems ON systems.id = x.s"
                            + " WHERE x.h IS NOT NULL AND systems.host_id IS NOT NULL AND systems.host_id <> x.h LIMIT 1")
                    .bindArray("ids", Long.class, ids)
                    .bindArray("hosts", String.class, hosts)
                    .map((rs, ctx) -> "id collision: system_id " + rs.getLong(1) + " is the system of host_id '"
                            + rs.getString(3) + "', not of host_id '" + rs.getString(2) + "'")
                    .findFirst()
                    .ifPresent(reason -> {
                        throw new IdCollision(reason);
                    });
            h.createUpdate("UPDATE systems SET last_seen = greatest(systems.last_seen, " + ts("x.t") + "),"
                            + " status = 'up', updated_at = now()"
                            + " FROM (SELECT s, max(t) AS t FROM unnest(:ids, :ts) AS u(s, t) GROUP BY s) AS x"
                            + " WHERE systems.id = x.s")
                    .bindArray("ids", Long.class, ids)
                    .bindArray("ts", Long.class, seen)
                    .execute();
        });
    }

    /**
     * The systems of agent hosts (by {@code host_id}), each brought up to date: hostname, IP, status up and
     * {@code last_seen}. A host seen for the first time becomes the system the scanner found with its MAC, or else a
     * new system. Rows are written in host_id order, so concurrent writers cannot deadlock.
     */
    public Map<String, Long> resolveAgentHosts(Collection<AgentHost> agents) {
        List<AgentHost> sorted = agents.stream().sorted(Comparator.comparing(AgentHost::hostId)).toList();
        Map<String, Long> written = new HashMap<>();
        if (sorted.isEmpty()) {
            return written;
        }
        jdbi.useHandle(h -> {
            // Known hosts with a plain UPDATE: an INSERT … ON CONFLICT would burn an identity value per batch.
            agentStatement(h, "UPDATE systems SET hostname = coalesce(x.n, systems.hostname),"
                    + " ip_address = coalesce(x.ip::inet, systems.ip_address),"
                    + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), status = 'up', updated_at = now()"
                    + " FROM unnest(:h, :n, :t, :mac, :ip) AS x(h, n, t, mac, ip) WHERE systems.host_id = x.h"
                    + " RETURNING id, host_id", sorted, written);
            List<AgentHost> fresh = sorted.stream().filter(a -> !written.containsKey(a.hostId())).toList();
            if (!fresh.isEmpty()) {
                // First sight of an agent whose MAC the scanner already found: that system is this host.
                agentStatement(h, "UPDATE systems SET host_id = x.h, hostname = coalesce(x.n, systems.hostname),"
                        + " ip_address = coalesce(x.ip::inet, systems.ip_address), status = 'up',"
                        + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "), updated_at = now()"
                        + " FROM unnest(:h, :n, :t, :mac, :ip) AS x(h, n, t, mac, ip)"
                        + " WHERE x.mac IS NOT NULL AND systems.mac_address = x.mac::macaddr AND systems.host_id IS NULL"
                        + " RETURNING id, host_id", fresh, written);
                // Otherwise a new system. DO UPDATE (not DO NOTHING) so RETURNING yields the id when another writer
                // won the race; a MAC some other system already has is not repeated (it is unique), nor is one that
                // two new hosts of this batch share (cloned machines): the first of them keeps it.
                agentStatement(h, "INSERT INTO systems (host_id, hostname, status, last_seen, mac_address, ip_address)"
                        + " SELECT h, n, 'up', " + ts("t") + ", CASE WHEN EXISTS (SELECT 1 FROM systems o"
                        + " WHERE o.mac_address = x.mac::macaddr) OR row_number() OVER (PARTITION BY x.mac"
                        + " ORDER BY x.h) > 1 THEN NULL ELSE x.mac::macaddr END, x.ip::inet"
                        + " FROM unnest(:h, :n, :t, :mac, :ip) AS x(h, n, t, mac, ip)"
                        + " WHERE NOT EXISTS (SELECT 1 FROM systems s WHERE s.host_id = x.h)"
                        + " ON CONFLICT (host_id) DO UPDATE SET hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                        + " last_seen = greatest(systems.last_seen, EXCLUDED.last_seen), status = 'up', updated_at = now()"
                        + " RETURNING id, host_id", fresh, written);
            }
            if (written.size() < sorted.size()) {
                // Another writer created some of these hosts between our UPDATE and our INSERT (each statement sees
                // what was committed before it began): the INSERT skipped them and returned nothing; read their ids.
                List<String> missing = sorted.stream().map(AgentHost::hostId).filter(x -> !written.containsKey(x))
                        .toList();
                h.createQuery("SELECT id, host_id FROM systems WHERE host_id = ANY(:h)")
                        .bindArray("h", String.class, missing)
                        .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                        .forEach(e -> written.put(e.getKey(), e.getValue()));
            }
        });
        return written;
    }

    /** Runs a statement over agent hosts as {@code unnest(:h, :n, :t, :mac, :ip)}, collecting its (id, host_id). */
    private static void agentStatement(Handle h, String sql, List<AgentHost> hosts, Map<String, Long> ids) {
        h.createQuery(sql)
                .bindArray("h", String.class, column(hosts, AgentHost::hostId))
                .bindArray("n", String.class, column(hosts, AgentHost::hostname))
                .bindArray("t", Long.class, column(hosts, a -> micros(a.seenAt())))
                .bindArray("mac", String.class, column(hosts, AgentHost::macAddress))
                .bindArray("ip", String.class, column(hosts, AgentHost::ipAddress))
                .map((rs, ctx) -> Map.entry(rs.getString("host_id"), rs.getLong("id")))
                .forEach(e -> ids.put(e.getKey(), e.getValue()));
    }

    private static <T, V> List<V> column(List<T> rows, Function<T, V> f) {
        List<V> out = new ArrayList<>(rows.size());
        for (T r : rows) {
            out.add(f.apply(r));
        }
        return out;
    }

    /**
     * Upserts discovered hosts: one row per MAC when the MAC is known (on-link scans), else per IP among MAC-less
     * rows; departments and scans named by id but unknown here are adopted as placeholder rows. One statement per
     * kind for the whole batch; a host that occurs several times in a batch is applied in batch order (its k-th
     * occurrence in the k-th round), so the rows and their identity history come out as if written one by one.
     */
    public void discovered(List<DiscoveryMessage> batch) {
        if (batch.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            Stores.adoptIds(h, "departments", batch.stream().map(m -> (long) m.deptId()).distinct().toList());
            Stores.adoptIds(h, "scans", batch.stream().map(DiscoveryMessage::scanId).filter(Objects::nonNull)
                    .distinct().toList());
            for (List<DiscoveryMessage> round : rounds(batch)) {
                List<DiscoveryMessage> byMac = round.stream().filter(m -> m.macAddress() != null).toList();
                List<DiscoveryMessage> byIp = round.stream().filter(m -> m.macAddress() == null).toList();
                if (!byMac.isEmpty()) {
                    discoveryStatement(h, "INSERT INTO systems (mac_address, ip_address, hostname, vendor, dept_id,"
                            + " status, last_seen, last_scan_id) SELECT x.mac::macaddr, x.ip::inet, x.hn, x.vendor, x.dept,"
                            + " 'up', " + ts("x.t") + ", x.scan FROM " + DISCOVERED
                            + " ON CONFLICT (mac_address) WHERE mac_address IS NOT NULL DO UPDATE SET"
                            // a loopback address (a scanner finding its own machine) never replaces a real one
                            + " ip_address = CASE WHEN EXCLUDED.ip_address << inet '127.0.0.0/8' THEN coalesce("
                            + "systems.ip_address, EXCLUDED.ip_address) ELSE EXCLUDED.ip_address END,"
                            + " hostname = coalesce(EXCLUDED.hostname, systems.hostname),"
                            + " vendor = coalesce(EXCLUDED.vendor, systems.vendor),"
                            + " dept_id = EXCLUDED.dept_id, status = 'up', last_scan_id = coalesce(EXCLUDED.last_scan_id,"
                            + " systems.last_scan_id), last_seen = greatest(systems.last_seen, EXCLUDED.last_seen),"
                            + " updated_at = now()", byMac);
                }
                if (!byIp.isEmpty()) {
                    // without a MAC (none, or a placeholder the contract dropped) the IP is the identity: the latest
                    // MAC-less row with that IP is updated, or a new one inserted
                    discoveryStatement(h, "WITH x AS (SELECT x.*, (SELECT id FROM systems WHERE ip_address = x.ip::inet"
                            + " AND mac_address IS NULL ORDER BY last_seen DESC NULLS LAST LIMIT 1) AS target"
                            + " FROM " + DISCOVERED + "),"
                            + " updated AS (UPDATE systems SET hostname = coalesce(x.hn, systems.hostname),"
                            + " dept_id = x.dept, vendor = coalesce(x.vendor, systems.vendor), status = 'up',"
                            + " last_seen = greatest(systems.last_seen, " + ts("x.t") + "),"
                            + " last_scan_id = coalesce(x.scan, systems.last_scan_id), updated_at = now()"
                            + " FROM x WHERE systems.id = x.target RETURNING systems.id)"
                            + " INSERT INTO systems (ip_address, hostname, vendor, dept_id, status, last_seen, last_scan_id)"
                            + " SELECT x.ip::inet, x.hn, x.vendor, x.dept, 'up', " + ts("x.t") + ", x.scan FROM x"
                            + " WHERE x.target IS NULL", byIp);
                }
            }
        });
    }

    private static final String DISCOVERED = "unnest(:mac, :ip, :hn, :vendor, :dept, :t, :scan)"
            + " AS x(mac, ip, hn, vendor, dept, t, scan)";

    private static void discoveryStatement(Handle h, String sql, List<DiscoveryMessage> rows) {
        h.createUpdate(sql)
                .bindArray("mac", String.class, column(rows, DiscoveryMessage::macAddress))
                .bindArray("ip", String.class, column(rows, DiscoveryMessage::ipAddress))
                .bindArray("hn", String.class, column(rows, DiscoveryMessage::hostname))
                .bindArray("vendor", String.class, column(rows, DiscoveryMessage::vendor))
                .bindArray("dept", Integer.class, column(rows, m -> (Integer) m.deptId()))
                .bindArray("t", Long.class, column(rows, m -> micros(m.discoveredAt())))
                .bindArray("scan", Long.class, column(rows, DiscoveryMessage::scanId))
                .execute();
    }

    /**
     * The batch in rounds: round k holds the k-th message of each host (its MAC, or its IP when it has none), in
     * batch order; a batch without repeats is a single round.
     */
    static List<List<DiscoveryMessage>> rounds(List<DiscoveryMessage> batch) {
        List<List<DiscoveryMessage>> rounds = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (DiscoveryMessage m : batch) {
            String key = m.macAddress() != null ? "mac:" + m.macAddress().toLowerCase(java.util.Locale.ROOT)
                    : "ip:" + m.ipAddress();
            int k = seen.merge(key, 1, Integer::sum) - 1;
            if (k == rounds.size()) {
                rounds.add(new ArrayList<>());
            }
            rounds.get(k).add(m);
        }
        return rounds;
    }

    /** Deletes a system named by host_id with its samples and alerts (a probe host that must leave nothing behind). */
    public void forgetHost(String hostId) {
        jdbi.useTransaction(h -> {
            String id = "(SELECT id FROM systems WHERE host_id = :h)";
            h.createUpdate("DELETE FROM metrics WHERE system_id = " + id).bind("h", hostId).execute();
            h.createUpdate("DELETE FROM alerts WHERE system_id = " + id).bind("h", hostId).execute();
            h.createUpdate("DELETE FROM systems WHERE host_id = :h").bind("h", hostId).execute();
        });
    }
}
