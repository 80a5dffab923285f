package io.fleetwatch.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.store.Owners;
import io.fleetwatch.store.TokenStore;
import java.io.PrintWriter;
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin")) {
                Owners.of(ds).tokens().create(new TokenStore.Holder(name, role), TokenCheck.sha256(token));
            } catch (RuntimeException e) {
                for (Throwable c = e; c != null; c = c.getCause()) {
                    if (c instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                        throw new IllegalArgumentException("--name: a token named '" + name + "' exists; revoke it or"
                                + " pick another name");
                    }
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin")) {
                var tokens = Owners.of(ds).tokens().list();
                out.printf("%-24s %-7s %-30s %-30s %s%n", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED");
                for (TokenStore.Token t : tokens) {
                    out.printf("%-24s %-7s %-30s %-30s %s%n", t.name(), t.role(), Printing.timestamp(t.createdAt()),
                            dash(Printing.timestamp(t.lastUsedAt())), dash(Printing.timestamp(t.revokedAt())));
                }
            }
            return 0;
        }

        private static Object dash(Object v) {
            return v == null ? "-" : v;
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
            try (HikariDataSource ds = Services.database(env, "fleetwatch-admin")) {
                if (!Owners.of(ds).tokens().revoke(name)) {
                    throw new IllegalArgumentException("no active token named '" + name + "'");
                }
            }
            spec.commandLine().getOut().println("token '" + name + "' revoked");
            return 0;
        }
    }
}
