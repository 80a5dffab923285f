package io.fleetwatch.api;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.Map;

/** Result-set rows to JSON-ready maps; times as ISO-8601 UTC strings, SQL NULL as JSON null. */
final class Rows {
    private Rows() {}

    private static final String[] METRICS = {"cpu_percent", "ram_percent", "disk_percent", "network_sent_mbps",
        "network_recv_mbps", "gpu_percent", "uptime_seconds", "logged_in_users"};

    /** Systems with their latest sample, the columns {@link #system} reads; callers add WHERE / ORDER BY. */
    static final String SYSTEM_WITH_LATEST = """
            SELECT s.id AS system_id, s.host_id, s.hostname, host(s.ip_address) AS ip_address,
                   upper(s.mac_address::text) AS mac_address, s.dept_id, s.status, s.first_seen, s.last_seen,
                   m.collected_at, m.cpu_percent, m.ram_percent, m.disk_percent, m.network_sent_mbps,
                   m.network_recv_mbps, m.gpu_percent, m.uptime_seconds, m.logged_in_users,
                   (SELECT count(*) FROM alerts a WHERE a.system_id = s.id AND a.resolved_at IS NULL) AS open_alerts
            FROM systems s
            LEFT JOIN LATERAL (SELECT * FROM metrics WHERE system_id = s.id
                               ORDER BY collected_at DESC LIMIT 1) m ON true
            """;

    static Map<String, Object> system(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("system_id", rs.getLong("system_id"));
        m.put("host_id", rs.getString("host_id"));
        m.put("hostname", rs.getString("hostname"));
        m.put("ip_address", rs.getString("ip_address"));
        m.put("mac_address", rs.getString("mac_address"));
        m.put("dept_id", rs.getObject("dept_id"));
        m.put("status", rs.getString("status"));
        m.put("first_seen", time(rs, "first_seen"));
        m.put("last_seen", time(rs, "last_seen"));
        m.put("open_alerts", rs.getLong("open_alerts"));
        m.put("latest", rs.getTimestamp("collected_at") == null ? null : sample(rs));
        return m;
    }

    static Map<String, Object> sample(ResultSet rs) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("collected_at", time(rs, "collected_at"));
        Map<String, Object> values = new LinkedHashMap<>();
        for (String k : METRICS) {
            values.put(k, rs.getObject(k));
        }
        m.put("metrics", values);
        return m;
    }

    private static String time(ResultSet rs, String col) throws SQLException {
        Timestamp t = rs.getTimestamp(col);
        return t == null ? null : t.toInstant().toString();
    }

    /** A mapToMap row with its timestamps as ISO-8601 UTC strings (JDBC gives java.sql.Timestamp). */
    static Map<String, Object> isoTimes(Map<String, Object> row) {
        Map<String, Object> m = new LinkedHashMap<>();
        row.forEach((k, v) -> m.put(k, v instanceof Timestamp t ? t.toInstant().toString()
                : v instanceof java.time.OffsetDateTime o ? o.toInstant().toString() : v));
        return m;
    }
}
