package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "admin", mixinStandardHelpOptions = true, description = "API tokens: create-token, list-tokens, revoke-token.",
        subcommands = {AdminCommand.CreateToken.class, AdminCommand.ListTokens.class, AdminCommand.RevokeToken.class})
final class AdminCommand {

    @Command(name = "create-token", mixinStandardHelpOptions = true, description = {
        "Make an API bearer token and print it once (only its SHA-256 digest is stored).",
        "Roles: viewer (read-only) or admin (also acknowledge, silence, rules, scans).", "",
        "Example: fleetwatch admin create-token --name grafana --role viewer"})
    static final class CreateToken extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--name", required = true, description = "Who or what uses it (letters, digits, . _ @ -; ≤ 64).")
        String name;

        @Option(names = "--role", required = true, description = "viewer or admin.")
        String role;

        @Override
        public Integer call() throws Exception {
            if (!role.equals("viewer") && !role.equals("admin")) {
                throw new IllegalArgumentException("--role: must be viewer or admin, not '" + role + "'");
            }
            if (!name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new IllegalArgumentException("--name: letters, digits and . _ @ - only, at most 64, not '" + name + "'");
            }
            String token = TokenCheck.newToken();
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin"); Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "INSERT INTO api_tokens (name, role, token_sha256) VALUES (?, ?, ?)")) {
                ps.setString(1, name);
                ps.setString(2, role);
                ps.setBytes(3, TokenCheck.sha256(token));
                ps.executeUpdate();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    throw new IllegalArgumentException("--name: a token named '" + name + "' exists; revoke it or pick"
                            + " another name");
                }
                throw e;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(token);
            spec.commandLine().getErr().println("token '" + name + "' (" + role + ") created; it is shown only this once");
            return 0;
        }
    }

    @Command(name = "list-tokens", mixinStandardHelpOptions = true, description = "List tokens: name, role, created, last used, revoked.")
    static final class ListTokens extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin"); Connection c = ds.getConnection();
                 ResultSet rs = c.createStatement().executeQuery("SELECT name, role, created_at, last_used_at, revoked_at"
                         + " FROM api_tokens ORDER BY name")) {
                out.printf("%-24s %-7s %-30s %-30s %s%n", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED");
                while (rs.next()) {
                    out.printf("%-24s %-7s %-30s %-30s %s%n", rs.getString(1), rs.getString(2), rs.getObject(3),
                            rs.getObject(4) == null ? "-" : rs.getObject(4), rs.getObject(5) == null ? "-" : rs.getObject(5));
                }
            }
            return 0;
        }
    }

    @Command(name = "revoke-token", mixinStandardHelpOptions = true, description = "Revoke a token by name (the API stops accepting it within 30 s).")
    static final class RevokeToken extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin"); Connection c = ds.getConnection();
                 PreparedStatement ps = c.prepareStatement(
                         "UPDATE api_tokens SET revoked_at = now() WHERE name = ? AND revoked_at IS NULL")) {
                ps.setString(1, name);
                if (ps.executeUpdate() == 0) {
                    throw new IllegalArgumentException("no active token named '" + name + "'");
                }
            }
            spec.commandLine().getOut().println("token '" + name + "' revoked");
            return 0;
        }
    }
}
