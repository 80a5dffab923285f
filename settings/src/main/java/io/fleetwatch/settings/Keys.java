package io.fleetwatch.settings;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The table of settings: every key, once. Each has its path in {@code fleetwatch.yml}, the environment variable
 * that sets it (the documented names; a variable that is set wins over the file), its type, default, whether it is a
 * secret and what it does. The YAML loader maps the file onto the variables through this table
 * ({@link #fromConfig}), and each component reads the keys it uses from a {@link Settings}.
 */
public final class Keys {
    private Keys() {}

    private static final List<Key<?>> TABLE = new ArrayList<>();

    // log
    public static final Key<String> LOG_LEVEL = key("log.level", "FLEETWATCH_LOG_LEVEL", Type.TEXT, null,
            "level of Fleetwatch's own loggers: TRACE, DEBUG, INFO, WARN, ERROR, OFF (default: INFO)");
    public static final Key<String> LOG_FORMAT = key("log.format", "FLEETWATCH_LOG_FORMAT", Type.TEXT, "text",
            "console log format: text, or json (one JSON object per line)");

    // broker
    public static final Key<String> BROKER_TYPE = key("broker.type", "QUEUE_TYPE", Type.TEXT, "rabbitmq",
            "the message transport: rabbitmq, postgres (a table in the database) or redis (Redis Streams)");
    public static final Key<String> BROKER_REDIS_URL = secret(key("broker.redis-url", "REDIS_URL", Type.TEXT,
            "redis://127.0.0.1:6379", "the Redis of the redis transport: redis://[user:password@]host:port[/db]"));
    public static final Key<String> BROKER_URI = secret(key("broker.uri", "QUEUE_URI", Type.TEXT, null,
            "amqp(s)://user:password@host:port/vhost; wins over host, port, user, password, vhost"));
    public static final Key<String> BROKER_HOST = key("broker.host", "QUEUE_HOST", Type.TEXT, "localhost",
            "RabbitMQ host");
    public static final Key<Integer> BROKER_PORT = key("broker.port", "QUEUE_PORT", Type.PORT, null,
            "RabbitMQ AMQP port (default 5672, 5671 with TLS)");
    public static final Key<String> BROKER_HOSTS = list(key("broker.hosts", "QUEUE_HOSTS", Type.TEXT, null,
            "a cluster's nodes, host1:port1,host2:port2; wins over host and port and the uri's"), ",");
    public static final Key<String> BROKER_QUEUE_TYPE = key("broker.queue-type", "FLEETWATCH_QUEUE_TYPE", Type.TEXT,
            "classic", "queue type queue-setup declares: classic (one node) or quorum (a cluster)");
    public static final Key<String> BROKER_USER = key("broker.user", "QUEUE_USER", Type.TEXT, "guest",
            "RabbitMQ user");
    public static final Key<String> BROKER_PASSWORD = secret(key("broker.password", "QUEUE_PASSWORD", Type.TEXT,
            "guest", "RabbitMQ password"));
    public static final Key<String> BROKER_VHOST = key("broker.vhost", "QUEUE_VHOST", Type.TEXT, "/",
            "RabbitMQ virtual host");
    public static final Key<Integer> BROKER_MANAGEMENT_PORT = key("broker.management-port", "QUEUE_MANAGEMENT_PORT",
            Type.PORT, "15672", "RabbitMQ management API port (backups, the demo's virtual host)");
    public static final Key<String> BROKER_MANAGEMENT_URL = key("broker.management-url", "QUEUE_MANAGEMENT_URL",
            Type.TEXT, null, "management API base URL, instead of http://host:management-port");
    public static final Key<String> BROKER_DISCOVERY_QUEUE = key("broker.queues.discovery", "DISCOVERY_QUEUE",
            Type.TEXT, "discovery_queue", "name of the discovery queue");
    public static final Key<String> BROKER_METRICS_QUEUE = key("broker.queues.metrics", "METRICS_QUEUE",
            Type.TEXT, "metrics_queue", "name of the metrics queue");
    public static final Key<String> BROKER_ALERT_QUEUE = key("broker.queues.alert", "ALERT_QUEUE",
            Type.TEXT, "alert_queue", "name of the alert queue");
    public static final Key<String> BROKER_INVENTORY_QUEUE = key("broker.queues.inventory", "INVENTORY_QUEUE",
            Type.TEXT, "inventory_queue", "name of the inventory queue");
    public static final Key<Boolean> BROKER_TLS = key("broker.tls.enabled", "QUEUE_TLS", Type.BOOLEAN, "false",
            "AMQPS (also on with an amqps:// uri)");
    public static final Key<Path> BROKER_TLS_CA_FILE = key("broker.tls.ca-file", "QUEUE_TLS_CA_FILE", Type.PATH, null,
            "PEM CA(s) the broker's certificate must chain to (default: the JVM's trust store)");
    public static final Key<Path> BROKER_TLS_CERT_FILE = key("broker.tls.cert-file", "QUEUE_TLS_CERT_FILE", Type.PATH,
            null, "client certificate (PEM) for mutual TLS");
    public static final Key<Path> BROKER_TLS_KEY_FILE = key("broker.tls.key-file", "QUEUE_TLS_KEY_FILE", Type.PATH,
            null, "the client certificate's PKCS#8 PEM key, mode 0600");
    public static final Key<Boolean> BROKER_TLS_VERIFY_HOSTNAME = key("broker.tls.verify-hostname",
            "QUEUE_TLS_VERIFY_HOSTNAME", Type.BOOLEAN, "true", "the broker's certificate must name the host connected to");
    public static final Key<Boolean> BROKER_ENABLED = key("broker.enabled", "QUEUE_ENABLED", Type.BOOLEAN, "true",
            "producers publish through RabbitMQ; false (writing straight to the database) is not supported yet and"
                    + " is refused at start");

    // database
    public static final Key<String> DATABASE_URL = secret(key("database.url", "DATABASE_URL", Type.TEXT, null,
            "postgresql://user@host:5432/db?sslmode=... or jdbc:postgresql://..."));
    public static final Key<String> DATABASE_PASSWORD = secret(key("database.password", "DATABASE_PASSWORD",
            Type.TEXT, null, "database password, kept out of the URL"));
    public static final Key<Integer> DATABASE_POOL_SIZE = key("database.pool-size", "DATABASE_POOL_SIZE",
            Type.INTEGER, "8", "connections per pool, 1-200");
    public static final Key<String> DATABASE_TIMESCALEDB = key("database.timescaledb", "FLEETWATCH_TIMESCALEDB",
            Type.TEXT, "auto", "metrics storage: auto, require (TimescaleDB) or off (plain PostgreSQL)");
    public static final Key<Integer> DATABASE_RETENTION_DAYS = key("database.retention-days",
            "FLEETWATCH_METRICS_RETENTION_DAYS", Type.integer("a number of days"), "90", "days of raw metrics kept");
    public static final Key<Integer> RETENTION_SCANS_DAYS = key("database.retention.scans-days",
            "FLEETWATCH_RETENTION_SCANS_DAYS", Type.integer("a number of days"), "90",
            "days a finished scan and its log are kept (a scan a system still names as its last stays)");
    public static final Key<Integer> RETENTION_ALERTS_DAYS = key("database.retention.alerts-days",
            "FLEETWATCH_RETENTION_ALERTS_DAYS", Type.integer("a number of days"), "365",
            "days a resolved alert and its events are kept");
    public static final Key<Integer> RETENTION_NOTIFICATIONS_DAYS = key("database.retention.notifications-days",
            "FLEETWATCH_RETENTION_NOTIFICATIONS_DAYS", Type.integer("a number of days"), "90",
            "days a sent or abandoned notification is kept");
    public static final Key<Integer> RETENTION_OUTBOX_DAYS = key("database.retention.outbox-days",
            "FLEETWATCH_RETENTION_OUTBOX_DAYS", Type.integer("a number of days"), "7",
            "days a published alert-outbox row is kept");
    public static final Key<String> DATABASE_READ_URL = secret(key("database.read-url", "DATABASE_READ_URL",
            Type.TEXT, null, "a streaming replica the API reads from (forms as database.url)"));
    public static final Key<Long> DATABASE_READ_MAX_LAG_SECONDS = key("database.read-max-lag-seconds",
            "DATABASE_READ_MAX_LAG_SECONDS", Type.whole("a number of seconds"), "30",
            "a replica further behind than this, or down, is not read from");

    // consumer
    public static final Key<Integer> CONSUMER_WORKERS = key("consumer.workers", "FLEETWATCH_CONSUMER_WORKERS",
            Type.INTEGER, "1", "worker threads per queue, 1-64");
    public static final Key<Integer> CONSUMER_BATCH_SIZE = key("consumer.batch-size",
            "FLEETWATCH_CONSUMER_BATCH_SIZE", Type.INTEGER, "1000", "messages per database batch");
    public static final Key<Integer> CONSUMER_FLUSH_MS = key("consumer.flush-ms", "FLEETWATCH_CONSUMER_FLUSH_MS",
            Type.INTEGER, "100", "a partial batch is written after this many milliseconds");
    public static final Key<Integer> CONSUMER_PREFETCH = key("consumer.prefetch", "FLEETWATCH_CONSUMER_PREFETCH",
            Type.INTEGER, null, "unacknowledged messages per consumer (default 3 x batch-size)");
    public static final Key<Integer> CONSUMER_METRICS_PORT = key("consumer.metrics.port", "FLEETWATCH_CONSUMER_METRICS_PORT",
            Type.PORT, "9471", "Prometheus /metrics of the consumer: the port (default 9471; 0 = off)");
    public static final Key<String> CONSUMER_METRICS_BIND = key("consumer.metrics.bind", "FLEETWATCH_CONSUMER_METRICS_BIND",
            Type.TEXT, "127.0.0.1", "the address the consumer's /metrics listens on");

    // relay
    public static final Key<Integer> RELAY_THREADS = key("relay.threads", "FLEETWATCH_RELAY_THREADS", Type.INTEGER,
            "2", "relay threads (database alerts to RabbitMQ), 1-16");
    public static final Key<Integer> RELAY_METRICS_PORT = key("relay.metrics.port", "FLEETWATCH_RELAY_METRICS_PORT",
            Type.PORT, "9472", "Prometheus /metrics of the relay: the port (default 9472; 0 = off)");
    public static final Key<String> RELAY_METRICS_BIND = key("relay.metrics.bind", "FLEETWATCH_RELAY_METRICS_BIND",
            Type.TEXT, "127.0.0.1", "the address the relay's /metrics listens on");

    // notifications
    public static final Key<String> NOTIFY_WEBHOOK_URL = key("notifications.webhook-url", "FLEETWATCH_WEBHOOK_URL",
            Type.TEXT, null, "webhook notifications are on when set");
    public static final Key<String> NOTIFY_WEBHOOK_AUTHORIZATION = secret(key("notifications.webhook-authorization",
            "FLEETWATCH_WEBHOOK_AUTHORIZATION", Type.TEXT, null, "sent as the webhook's Authorization header"));
    public static final Key<Integer> NOTIFY_MAX_RETRIES = key("notifications.max-retries",
            "FLEETWATCH_NOTIFY_MAX_RETRIES", Type.INTEGER, "3", "retries of a failed notification");
    public static final Key<Integer> NOTIFY_RETRY_DELAY_SECONDS = key("notifications.retry-delay-seconds",
            "FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS", Type.INTEGER, "60", "first retry delay, doubling, at most an hour");
    public static final Key<String> SMTP_HOST = key("notifications.smtp.host", "SMTP_HOST", Type.TEXT, null,
            "e-mail notifications are on when set");
    public static final Key<Integer> SMTP_PORT = key("notifications.smtp.port", "SMTP_PORT", Type.INTEGER, "587",
            "SMTP port");
    public static final Key<Boolean> SMTP_STARTTLS = key("notifications.smtp.starttls", "SMTP_STARTTLS", Type.BOOLEAN,
            "true", "STARTTLS before logging in");
    public static final Key<String> SMTP_USERNAME = key("notifications.smtp.username", "SMTP_USERNAME", Type.TEXT,
            null, "SMTP login");
    public static final Key<String> SMTP_PASSWORD = secret(key("notifications.smtp.password", "SMTP_PASSWORD",
            Type.TEXT, null, "SMTP password"));
    public static final Key<String> SMTP_FROM = key("notifications.smtp.from", "SMTP_FROM", Type.TEXT, null,
            "sender address");
    public static final Key<List<String>> SMTP_TO = list(key("notifications.smtp.to", "SMTP_TO", Type.list(","),
            null, "recipients, comma-separated"), ",");

    // queue-watch
    public static final Key<Long> QUEUE_WARNING = key("queue-watch.warning", "FLEETWATCH_QUEUE_WARNING", Type.LONG,
            "1000", "queue depth that raises a backlog warning");
    public static final Key<Long> QUEUE_CRITICAL = key("queue-watch.critical", "FLEETWATCH_QUEUE_CRITICAL", Type.LONG,
            "10000", "queue depth that raises a critical backlog alert");

    // api
    public static final Key<String> API_HOST = key("api.host", "FLEETWATCH_API_HOST", Type.TEXT, "127.0.0.1",
            "listen address");
    public static final Key<Integer> API_PORT = key("api.port", "FLEETWATCH_API_PORT", Type.PORT, "8080",
            "listen port");
    public static final Key<String> API_TOKEN = secret(key("api.token", "FLEETWATCH_API_TOKEN", Type.TEXT, null,
            "admin bearer token(s), comma-separated, 16+ characters each"));
    public static final Key<Path> API_TOKEN_FILE = key("api.token-file", "FLEETWATCH_API_TOKEN_FILE", Type.PATH, null,
            "the same, in a file readable by the owner only");
    public static final Key<List<String>> API_CORS_ORIGINS = list(key("api.cors-origins",
            "FLEETWATCH_API_CORS_ORIGINS", Type.list("[,\\s]+"), null,
            "origins allowed to call the API from a browser, scheme://host[:port]"), ",");
    public static final Key<Integer> API_AUTH_MAX_FAILURES = key("api.auth.max-failures",
            "FLEETWATCH_API_AUTH_MAX_FAILURES", Type.INTEGER, "10",
            "failed bearer-token checks one client address may make within the window; then 429 until one ages out");
    public static final Key<Duration> API_AUTH_FAILURE_WINDOW = key("api.auth.failure-window",
            "FLEETWATCH_API_AUTH_FAILURE_WINDOW", Type.DURATION, "1m", "the window of api.auth.max-failures");
    public static final Key<List<String>> API_TRUSTED_PROXIES = list(key("api.trusted-proxies",
            "FLEETWATCH_API_TRUSTED_PROXIES", Type.list("[,\\s]+"), null,
            "IP addresses of reverse proxies whose X-Forwarded-For names the client (none by default)"), ",");
    public static final Key<Path> API_TLS_CERT_FILE = key("api.tls.cert-file", "FLEETWATCH_API_TLS_CERT_FILE",
            Type.PATH, null, "HTTPS: the server's certificate chain (PEM); with key-file, the API speaks HTTPS only");
    public static final Key<Path> API_TLS_KEY_FILE = key("api.tls.key-file", "FLEETWATCH_API_TLS_KEY_FILE",
            Type.PATH, null, "HTTPS: the certificate's private key (PEM)");

    // scan
    public static final Key<List<String>> SCAN_ALLOW = list(key("scan.allow", "FLEETWATCH_SCAN_ALLOW", Type.list(","),
            "127.0.0.0/8", "the only networks the scanner may probe (CIDRs)"), ",");
    public static final Key<List<String>> SCAN_DENY = list(key("scan.deny", "FLEETWATCH_SCAN_DENY", Type.list(","),
            null, "networks never probed (CIDRs)"), ",");
    public static final Key<String> SCAN_SCHEDULES = list(key("scan.schedules", "FLEETWATCH_SCAN_SCHEDULES",
            Type.TEXT, null, "scheduled scans, ';'-separated: CIDR dept=N every=DURATION"), ";");
    public static final Key<Integer> SCAN_RATE = key("scan.rate", "FLEETWATCH_SCAN_RATE",
            Type.integer("a number of packets per second"), null,
            "packets per second of every sweep, 1-100000 (default: the profile's; polite 500)");
    public static final Key<Integer> SCAN_BURST = key("scan.burst", "FLEETWATCH_SCAN_BURST",
            Type.integer("a number of packets"), null, "packets sent back to back, 1-rate (default: the profile's; polite 50)");
    public static final Key<Integer> SCAN_PARALLELISM = key("scan.parallelism", "FLEETWATCH_SCAN_PARALLELISM",
            Type.integer("a number of probes"), null,
            "addresses per probe round and TCP connects in flight, 1-4096 (default: the profile's; polite 256)");
    public static final Key<String> SCAN_DEPARTMENTS = list(key("scan.departments", "FLEETWATCH_SCAN_DEPARTMENTS",
            Type.TEXT, null, "per-department limits over the three above, ';'-separated: DEPT rate=N burst=N"
                    + " parallelism=N (DEPT: a department's id or name)"), ";");
    public static final Key<Integer> SCAN_MAX_PARALLEL_SCANS = key("scan.max-parallel-scans",
            "FLEETWATCH_SCAN_MAX_PARALLEL_SCANS", Type.integer("a number of scans"), "2",
            "scan jobs running at once over the whole fleet (every process on the database); claimers wait beyond it");
    public static final Key<Integer> SCAN_MAX_ATTEMPTS = key("scan.max-attempts", "FLEETWATCH_SCAN_MAX_ATTEMPTS",
            Type.integer("a number of attempts"), "3",
            "attempts of a queued scan job that fails (or whose runner dies) before it stays failed, 1-100");
    public static final Key<Duration> SCAN_RETRY_BACKOFF = key("scan.retry-backoff", "FLEETWATCH_SCAN_RETRY_BACKOFF",
            Type.DURATION, "30s", "wait before a failed scan job's first retry; doubled for each further one");

    // scheduler (scan schedules and the scans requested through the API)
    public static final Key<Integer> SCHEDULER_METRICS_PORT = key("scheduler.metrics.port", "FLEETWATCH_SCHEDULER_METRICS_PORT",
            Type.PORT, "9473", "Prometheus /metrics of the scan scheduler: the port (default 9473; 0 = off)");
    public static final Key<String> SCHEDULER_METRICS_BIND = key("scheduler.metrics.bind", "FLEETWATCH_SCHEDULER_METRICS_BIND",
            Type.TEXT, "127.0.0.1", "the address the scan scheduler's /metrics listens on");

    // collector (fleetwatch collect --interval)
    public static final Key<Integer> COLLECTOR_METRICS_PORT = key("collector.metrics.port", "FLEETWATCH_COLLECTOR_METRICS_PORT",
            Type.PORT, "9474", "Prometheus /metrics of the SSH collector: the port (default 9474; 0 = off)");
    public static final Key<String> COLLECTOR_METRICS_BIND = key("collector.metrics.bind", "FLEETWATCH_COLLECTOR_METRICS_BIND",
            Type.TEXT, "127.0.0.1", "the address the SSH collector's /metrics listens on");

    // ssh
    public static final Key<String> SSH_USER = key("ssh.user", "FLEETWATCH_SSH_USER", Type.TEXT, "fleetwatch",
            "login for hosts that name none");
    public static final Key<List<String>> SSH_KEY = list(key("ssh.key", "FLEETWATCH_SSH_KEY", Type.list(","), null,
            "private key file(s), comma-separated (default ~/.ssh/id_ed25519, id_rsa, id_ecdsa where present)"), ",");
    public static final Key<Path> SSH_KNOWN_HOSTS = key("ssh.known-hosts", "FLEETWATCH_SSH_KNOWN_HOSTS", Type.PATH,
            null, "host keys are verified against it, always (default ~/.ssh/known_hosts)");
    public static final Key<String> SSH_PASSWORD = secret(key("ssh.password", "FLEETWATCH_SSH_PASSWORD", Type.TEXT,
            null, "SSH password"));
    public static final Key<Path> SSH_PASSWORD_FILE = key("ssh.password-file", "FLEETWATCH_SSH_PASSWORD_FILE",
            Type.PATH, null, "the same, in a 0600 file");
    public static final Key<Boolean> SSH_TOFU = key("ssh.tofu", "FLEETWATCH_SSH_TOFU", Type.BOOLEAN, "false",
            "record the key of a host not yet in known_hosts (a changed key is refused either way)");
    public static final Key<Duration> SSH_CONNECT_TIMEOUT = key("ssh.connect-timeout", "FLEETWATCH_SSH_CONNECT_TIMEOUT",
            Type.DURATION, "5s", "SSH connect timeout");
    public static final Key<Duration> SSH_COMMAND_TIMEOUT = key("ssh.command-timeout", "FLEETWATCH_SSH_COMMAND_TIMEOUT",
            Type.DURATION, "10s", "timeout of one remote command");

    // agent
    public static final Key<Duration> AGENT_INTERVAL = key("agent.interval", "FLEETWATCH_AGENT_INTERVAL",
            Type.DURATION, "10s", "between samples, 100ms-1h");
    public static final Key<Boolean> AGENT_JITTER = key("agent.jitter", "FLEETWATCH_AGENT_JITTER", Type.BOOLEAN,
            "true", "start at a random point of the first interval");
    public static final Key<String> AGENT_MOUNT = key("agent.mount", "FLEETWATCH_AGENT_MOUNT", Type.TEXT, "/",
            "the mount point whose use is disk_percent");
    public static final Key<Double> AGENT_SPOOL_MAX_MB = key("agent.spool-max-mb", "FLEETWATCH_AGENT_SPOOL_MAX_MB",
            Type.DECIMAL, "64", "on-disk spool bound while the broker is away, MiB (fractions allowed)");
    public static final Key<Duration> AGENT_SPOOL_MAX_AGE = key("agent.spool-max-age", "FLEETWATCH_AGENT_SPOOL_MAX_AGE",
            Type.DURATION, "7d", "older spooled samples are dropped");
    public static final Key<Duration> AGENT_INVENTORY_EVERY = key("agent.inventory-every",
            "FLEETWATCH_AGENT_INVENTORY_EVERY", Type.DURATION, "15m",
            "how often the agent reads its hardware and OS inventory; sent at start and when it changed");
    public static final Key<Path> AGENT_STATE_DIR = key("agent.state-dir", "FLEETWATCH_AGENT_STATE_DIR", Type.PATH,
            null, "sequence number and spool (default /var/lib/fleetwatch-agent when writable, else"
                    + " ~/.local/state/fleetwatch-agent)");

    public static final Key<Integer> AGENT_METRICS_PORT = key("agent.metrics.port", "FLEETWATCH_AGENT_METRICS_PORT",
            Type.PORT, null, "Prometheus /metrics of the agent: the port (off unless set)");
    public static final Key<String> AGENT_METRICS_BIND = key("agent.metrics.bind", "FLEETWATCH_AGENT_METRICS_BIND",
            Type.TEXT, "127.0.0.1", "the address the agent's /metrics listens on");

    // serve
    public static final Key<List<String>> SERVE_COMPONENTS = list(key("serve.components",
            "FLEETWATCH_SERVE_COMPONENTS", Type.list("[,\\s]+"), null,
            "what serve runs here: consumer, relay, api, scheduler, agent (default all)"), ",");

    // the environment only
    public static final Key<Path> CONFIG_FILE = key(null, "FLEETWATCH_CONFIG", Type.PATH, null,
            "the YAML file, when -c is not given");

    /** Every key, in table order. */
    public static final List<Key<?>> ALL = Collections.unmodifiableList(TABLE);

    /** Config paths of the secrets: refused when written literally in a file others can read. */
    public static List<String> secretPaths() {
        return ALL.stream().filter(Key::secret).flatMap(k -> k.path().stream()).toList();
    }

    public static Optional<Key<?>> byEnv(String env) {
        return ALL.stream().filter(k -> k.env().equals(env)).findFirst();
    }

    public static Optional<Key<?>> byPath(String path) {
        return ALL.stream().filter(k -> k.path().filter(path::equals).isPresent()).findFirst();
    }

    /**
     * The settings a file gives, as the environment variables of the table: {@code valueAt} answers a config path
     * with its value (text, number, switch, or a list of them) or null when the file leaves it out. A list is
     * joined with the key's separator. Unset keys are left out.
     */
    public static Map<String, String> fromConfig(Function<String, Object> valueAt) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Key<?> k : ALL) {
            if (k.path().isEmpty()) {
                continue;
            }
            Object v = valueAt.apply(k.path().get());
            if (v instanceof List<?> items) {
                String sep = k.listSeparator().orElseThrow(() -> new IllegalArgumentException(
                        k.path().get() + ": expected a single value, not a list"));
                out.put(k.env(), items.stream().map(String::valueOf).collect(Collectors.joining(sep)));
            } else if (v != null) {
                out.put(k.env(), v.toString());
            }
        }
        return out;
    }

    private static <T> Key<T> key(String path, String env, Type<T> type, String defaultText, String description) {
        Key<T> k = new Key<>(path, env, type, defaultText, false, null, description);
        TABLE.add(k);
        return k;
    }

    private static <T> Key<T> secret(Key<T> k) {
        return replace(k, k.asSecret());
    }

    private static <T> Key<T> list(Key<T> k, String separator) {
        return replace(k, k.joinedBy(separator));
    }

    private static <T> Key<T> replace(Key<T> old, Key<T> now) {
        TABLE.set(TABLE.indexOf(old), now);
        return now;
    }
}
