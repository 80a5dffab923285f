package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fleetwatch inspect system|scan|alert ID}: one row of the database, every column, for an operator at a shell. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = {
    "Show one system, scan or alert with every stored field.", "",
    "Examples:", "  fleetwatch inspect system 12", "  fleetwatch inspect alert 7"})
final class InspectCommand extends EnvAware implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "KIND", description = "system, scan or alert")
    String kind;

    @Parameters(index = "1", paramLabel = "ID")
    long id;

    @Override
    public Integer call() throws Exception {
        String sql = switch (kind) {
            case "system" -> "SELECT s.*, (SELECT count(*) FROM alerts a WHERE a.system_id = s.id AND a.resolved_at IS NULL)"
                    + " AS open_alerts, (SELECT max(collected_at) FROM metrics m WHERE m.system_id = s.id) AS last_sample"
                    + " FROM systems s WHERE s.id = ?";
            case "scan" -> "SELECT * FROM scans WHERE id = ?";
            case "alert" -> "SELECT a.*, s.hostname FROM alerts a JOIN systems s ON s.id = a.system_id WHERE a.id = ?";
            default -> throw new IllegalArgumentException("KIND: must be system, scan or alert, not '" + kind + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        try (HikariDataSource ds = Services.database(env, "fleetwatch-inspect"); Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    spec.commandLine().getErr().println("fleetwatch: no " + kind + " with id " + id);
                    return 1;
                }
                ResultSetMetaData md = rs.getMetaData();
                for (int i = 1; i <= md.getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    out.printf("%-16s %s%n", md.getColumnLabel(i), v == null ? "-" : v);
                }
            }
        }
        return 0;
    }
}
