package io.fleetwatch.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.sql.BackupRotation;
import io.fleetwatch.sql.DatabaseDump;
import io.fleetwatch.sql.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Backup and restore: the database as a pg_dump custom-format archive, the RabbitMQ definitions of the
 * virtual host (exchanges, queues, bindings, policies; from the management API), and a manifest with the files'
 * SHA-256, so a restore refuses a damaged or tampered backup. Passwords go to pg_dump through PGPASSWORD, never on a
 * command line; the backup directory is created mode 0700.
 */
final class BackupCommand {
    private BackupCommand() {}

    static final String DUMP = "database.dump";
    static final String DEFINITIONS = "rabbitmq-definitions.json";
    static final String MANIFEST = "manifest.json";
    static final String FILES = "files";

    /**
     * The operator's files a restore may need besides the data: the configuration file, TLS material (broker CA,
     * client certificate and key, PostgreSQL sslrootcert/sslcert/sslkey), the API token file, SSH key and known_hosts.
     */
    static List<Path> operatorFiles(Config config) {
        Map<String, String> env = config.env();
        List<Path> out = new ArrayList<>();
        if (config.file() != null) {
            out.add(config.file());
        }
        for (var key : List.of(Keys.BROKER_TLS_CA_FILE, Keys.BROKER_TLS_CERT_FILE, Keys.BROKER_TLS_KEY_FILE,
                Keys.API_TOKEN_FILE, Keys.SSH_KEY, Keys.SSH_KNOWN_HOSTS, Keys.SSH_PASSWORD_FILE)) {
            String v = env.get(key.env());
            if (v != null && !v.isBlank()) {
                out.add(Path.of(v.strip()));
            }
        }
        String url = env.getOrDefault(DatabaseSettings.ENV_URL, "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[?&](sslrootcert|sslcert|sslkey)=([^&]+)").matcher(url);
        while (m.find()) {
            out.add(Path.of(java.net.URLDecoder.decode(m.group(2), StandardCharsets.UTF_8)));
        }
        return out.stream().map(p -> p.toAbsolutePath().normalize()).distinct().filter(Files::isRegularFile).toList();
    }

    @Command(name = "backup", mixinStandardHelpOptions = true,
            header = "Back up the database, RabbitMQ definitions, configuration and certificates.",
            description = {
        "Back up the database (pg_dump), the RabbitMQ definitions, and the configuration file and certificates",
        "(TLS CA, client certificates and keys, API token file, SSH key and known_hosts) into a new directory (0700),",
        "with a checksummed manifest.",
        "", "Examples: fleetwatch backup --to /var/backups/fleetwatch/2026-11-22",
        "          fleetwatch backup --into /var/backups/fleetwatch --keep 14   (what fleetwatch-backup.timer runs daily)"})
    static final class Backup extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.ArgGroup(multiplicity = "1")
        Where where;

        /** Exactly one of a directory to create, or a folder of dated backups (the daily timer's). */
        static final class Where {
            @Option(names = "--to", required = true, description = "Directory to create (must not exist).")
            Path to;

            @Option(names = "--into", required = true, paramLabel = "FOLDER", description = {"A new directory in FOLDER",
                "named by the UTC time (fleetwatch-YYYYMMDDTHHMMSSZ), as the daily timer makes them."})
            Path into;
        }

        @Option(names = "--keep", paramLabel = "N", description = {"With --into: afterwards remove the oldest",
            "complete backups in FOLDER so that N remain."})
        Integer keep;

        @Option(names = "--no-broker", description = "Database only (no RabbitMQ definitions).")
        boolean noBroker;

        @Option(names = "--no-files", description = "Leave out the configuration file and certificates.")
        boolean noFiles;

        @Override
        public Integer call() throws Exception {
            BackupRotation rotation = where.into == null ? null : new BackupRotation(where.into, MANIFEST);
            if (keep != null && rotation == null) {
                throw new IllegalArgumentException("--keep: goes with --into (a folder of dated backups)");
            }
            Path to = rotation == null ? where.to : rotation.next(java.time.Clock.systemUTC());
            if (Files.exists(to)) {
                throw new IllegalArgumentException("--to: " + to + " exists; a backup goes into a new directory");
            }
            Files.createDirectories(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            new DatabaseDump(DatabaseSettings.fromEnv(env)).dump(to.resolve(DUMP));
            List<String> files = new ArrayList<>(List.of(DUMP));
            if (!noBroker) {
                Files.writeString(to.resolve(DEFINITIONS), management(env, "GET", null));
                files.add(DEFINITIONS);
            }
            ObjectMapper json = new ObjectMapper();
            ObjectNode manifest = json.createObjectNode();
            ObjectNode originals = json.createObjectNode();
            if (!noFiles) {
                // Kept under files/ at their absolute path, 0600: the directory holds keys and tokens now.
                for (Path f : operatorFiles(config())) {
                    String rel = FILES + f;
                    Path copy = to.resolve(rel);
                    Files.createDirectories(copy.getParent());
                    Files.copy(f, copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-------"));
                    files.add(rel);
                    originals.put(rel, f.toString());
                }
            }
            manifest.put("fleetwatch_backup", 1);
            manifest.put("created_at", Instant.now().toString());
            manifest.put("version", BackupCommand.class.getPackage().getImplementationVersion());
            ObjectNode sums = manifest.putObject("sha256");
            for (String f : files) {
                sums.put(f, sha256(to.resolve(f)));
            }
            manifest.set("files", originals);
            Files.writeString(to.resolve(MANIFEST), json.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
            spec.commandLine().getOut().printf("backup: %s (%s)%n", to, String.join(", ", files));
            if (keep != null) {
                for (Path old : rotation.prune(keep)) {
                    spec.commandLine().getOut().printf("backup: removed %s (keeping %d)%n", old, keep);
                }
            }
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            header = "Restore a backup made by 'fleetwatch backup' (checksums first).",
            description = {
        "Restore a backup made by 'fleetwatch backup': checks the manifest's checksums, replaces the database's",
        "schema in one transaction and imports the RabbitMQ definitions. Stop the consumers first.", "",
        "Example: fleetwatch restore --from /var/backups/fleetwatch/2026-11-22 --yes"})
    static final class Restore extends EnvAware implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--from", required = true, description = "A backup directory.")
        Path from;

        @Option(names = "--yes", description = "Replace what the database holds now (required: a restore overwrites).")
        boolean yes;

        @Option(names = "--restore-files", description = "Also put the configuration file and certificates back at"
                + " their original paths (mode 0600; without it they stay in the backup's files/ directory).")
        boolean restoreFiles;

        @Override
        public Integer call() throws Exception {
            Path manifestFile = from.resolve(MANIFEST);
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalArgumentException("--from: " + from + " holds no " + MANIFEST + " (not a Fleetwatch backup)");
            }
            var manifest = new ObjectMapper().readTree(manifestFile.toFile());
            var sums = manifest.get("sha256");
            for (var it = sums.fields(); it.hasNext(); ) {
                var e = it.next();
                Path f = from.resolve(e.getKey());
                if (!Files.isRegularFile(f) || !sha256(f).equals(e.getValue().asText())) {
                    throw new IllegalArgumentException("--from: " + e.getKey() + " is missing or does not match the"
                            + " manifest's checksum; refusing to restore a damaged backup");
                }
            }
            if (!yes) {
                throw new IllegalArgumentException("restore replaces the database's contents; add --yes to go ahead");
            }
            new DatabaseDump(DatabaseSettings.fromEnv(env)).restore(from.resolve(DUMP));
            if (sums.has(DEFINITIONS)) {
                management(env, "POST", Files.readString(from.resolve(DEFINITIONS)));
            }
            var originals = manifest.path("files");
            for (var it = originals.fields(); it.hasNext(); ) {
                var e = it.next();
                Path target = Path.of(e.getValue().asText());
                if (restoreFiles) {
                    Files.createDirectories(target.getParent());
                    Files.copy(from.resolve(e.getKey()), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
                    spec.commandLine().getOut().println("restore: " + target + " written (0600; check its owner)");
                } else {
                    spec.commandLine().getOut().println("restore: " + target + " is in " + from.resolve(e.getKey())
                            + " (not written; --restore-files puts it back)");
                }
            }
            spec.commandLine().getOut().printf("restore: %s restored (%s)%n", from,
                    String.join(", ", (Iterable<String>) sums::fieldNames));
            return 0;
        }
    }

    /** GET (export) or POST (import) the virtual host's definitions through the management API. */
    private static String management(Map<String, String> env, String method, String body) throws Exception {
        return Management.call(env, method, "/api/definitions/"
                + Management.vhostPath(BrokerSettings.fromEnv(env).virtualHost()), body);
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(f)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
