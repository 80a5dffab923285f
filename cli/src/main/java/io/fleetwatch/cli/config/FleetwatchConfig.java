package io.fleetwatch.cli.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of {@code fleetwatch.yml}. Every leaf is optional (null = the component's default) and maps onto one of
 * the environment variables the components already read ({@code QUEUE_*}, {@code DATABASE_URL},
 * {@code FLEETWATCH_*}), so the file and the environment describe the same settings; see {@link #toEnv()}.
 * Sections are validated with Bean Validation after {@code ${VAR}} substitution.
 */
public record FleetwatchConfig(@Valid Log log, @Valid Broker broker, @Valid Database database,
                               @Valid Consumer consumer, @Valid Relay relay, @Valid Notify notifications,
                               @Valid QueueWatch queueWatch, @Valid Api api, @Valid Scan scan, @Valid Ssh ssh,
                               @Valid Agent agent, @Valid Serve serve) {

    static final String PORT = "must be a TCP port (1-65535)";

    public record Log(@Pattern(regexp = "(?i)TRACE|DEBUG|INFO|WARN|ERROR|OFF", message = "must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF") String level,
                      @Pattern(regexp = "text|json", message = "must be text or json") String format) {}

    public record Broker(String uri, String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                         List<@Pattern(regexp = "[^,\\s]+", message = "must be host or host:port") String> hosts,
                         @Pattern(regexp = "classic|quorum", message = "must be classic or quorum") String queueType,
                         String user, String password, String vhost,
                         @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer managementPort,
                         @Pattern(regexp = "https?://[^/\\s]+/?", message = "must be http(s)://host:port") String managementUrl,
                         @Valid Queues queues, @Valid Tls tls) {}

    public record Queues(@Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String discovery,
                         @Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String metrics,
                         @Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String alert) {}

    public record Tls(Boolean enabled, String caFile, String certFile, String keyFile, Boolean verifyHostname) {}

    public record Database(String url, String password, @Min(1) @Max(200) Integer poolSize,
                           @Pattern(regexp = "auto|require|off", message = "must be auto, require or off") String timescaledb,
                           @Min(1) @Max(36500) Integer retentionDays, String readUrl,
                           @Min(1) @Max(io.fleetwatch.sql.ReadReplicaSettings.MAX_MAX_LAG_SECONDS) Integer readMaxLagSeconds) {}

    public record Consumer(@Min(1) @Max(64) Integer workers, @Min(1) @Max(100_000) Integer batchSize,
                           @Min(1) @Max(60_000) Integer flushMs, @Min(1) @Max(1_000_000) Integer prefetch) {}

    public record Relay(@Min(1) @Max(16) Integer threads) {}

    public record Notify(@Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") String webhookUrl,
                         String webhookAuthorization, @Min(0) @Max(100) Integer maxRetries,
                         @Min(1) @Max(86_400) Integer retryDelaySeconds, @Valid Smtp smtp) {}

    public record Smtp(String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                       Boolean starttls, String username, String password, String from, List<String> to) {}

    public record QueueWatch(@Min(1) Long warning, @Min(1) Long critical) {}

    public record Api(String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                      String token, String tokenFile, List<String> corsOrigins) {}

    public record Scan(List<String> allow, List<String> deny, List<String> schedules) {}

    public record Ssh(String user, String key, String knownHosts, String password, String passwordFile, Boolean tofu,
                      @Pattern(regexp = "\\d+(ms|s|m)?", message = "must be a duration such as 5s") String connectTimeout,
                      @Pattern(regexp = "\\d+(ms|s|m)?", message = "must be a duration such as 10s") String commandTimeout) {}

    public record Agent(@Pattern(regexp = "\\d+(ms|s|m|h)?", message = "must be a duration such as 30s") String interval,
                        Boolean jitter,
                        String mount, @DecimalMin("0.0625") Double spoolMaxMb,
                        @Pattern(regexp = "\\d+(s|m|h|d)?", message = "must be a duration such as 24h") String spoolMaxAge,
                        String stateDir) {}

    public record Serve(List<@Pattern(regexp = "consumer|relay|api|scheduler|agent",
            message = "must be one of consumer, relay, api, scheduler, agent") String> components) {}

    /** Config keys whose values are secrets: refused when written literally in a file others can read. */
    static final List<String> SECRET_KEYS = List.of("broker.password", "broker.uri", "database.password",
            "database.url", "database.read-url", "notifications.webhook-authorization", "notifications.smtp.password", "api.token", "ssh.password");

    /** The settings as the environment variables the components read; unset keys are left out. */
    public Map<String, String> toEnv() {
        Map<String, String> e = new LinkedHashMap<>();
        if (log != null) {
            put(e, "FLEETWATCH_LOG_LEVEL", log.level);
            put(e, "FLEETWATCH_LOG_FORMAT", log.format);
        }
        if (broker != null) {
            put(e, "QUEUE_URI", broker.uri);
            put(e, "QUEUE_HOST", broker.host);
            put(e, "QUEUE_PORT", broker.port);
            put(e, "QUEUE_HOSTS", join(broker.hosts, ","));
            put(e, "FLEETWATCH_QUEUE_TYPE", broker.queueType);
            put(e, "QUEUE_USER", broker.user);
            put(e, "QUEUE_PASSWORD", broker.password);
            put(e, "QUEUE_VHOST", broker.vhost);
            put(e, "QUEUE_MANAGEMENT_PORT", broker.managementPort);
            put(e, "QUEUE_MANAGEMENT_URL", broker.managementUrl);
            if (broker.queues != null) {
                put(e, "DISCOVERY_QUEUE", broker.queues.discovery);
                put(e, "METRICS_QUEUE", broker.queues.metrics);
                put(e, "ALERT_QUEUE", broker.queues.alert);
            }
            if (broker.tls != null) {
                put(e, "QUEUE_TLS", broker.tls.enabled);
                put(e, "QUEUE_TLS_CA_FILE", broker.tls.caFile);
                put(e, "QUEUE_TLS_CERT_FILE", broker.tls.certFile);
                put(e, "QUEUE_TLS_KEY_FILE", broker.tls.keyFile);
                put(e, "QUEUE_TLS_VERIFY_HOSTNAME", broker.tls.verifyHostname);
            }
        }
        if (database != null) {
            put(e, "DATABASE_URL", database.url);
            put(e, "DATABASE_PASSWORD", database.password);
            put(e, "DATABASE_POOL_SIZE", database.poolSize);
            put(e, "FLEETWATCH_TIMESCALEDB", database.timescaledb);
            put(e, "FLEETWATCH_METRICS_RETENTION_DAYS", database.retentionDays);
            put(e, "DATABASE_READ_URL", database.readUrl);
            put(e, "DATABASE_READ_MAX_LAG_SECONDS", database.readMaxLagSeconds);
        }
        if (consumer != null) {
            put(e, "FLEETWATCH_CONSUMER_WORKERS", consumer.workers);
            put(e, "FLEETWATCH_CONSUMER_BATCH_SIZE", consumer.batchSize);
            put(e, "FLEETWATCH_CONSUMER_FLUSH_MS", consumer.flushMs);
            put(e, "FLEETWATCH_CONSUMER_PREFETCH", consumer.prefetch);
        }
        if (relay != null) {
            put(e, "FLEETWATCH_RELAY_THREADS", relay.threads);
        }
        if (notifications != null) {
            put(e, "FLEETWATCH_WEBHOOK_URL", notifications.webhookUrl);
            put(e, "FLEETWATCH_WEBHOOK_AUTHORIZATION", notifications.webhookAuthorization);
            put(e, "FLEETWATCH_NOTIFY_MAX_RETRIES", notifications.maxRetries);
            put(e, "FLEETWATCH_NOTIFY_RETRY_DELAY_SECONDS", notifications.retryDelaySeconds);
            if (notifications.smtp != null) {
                put(e, "SMTP_HOST", notifications.smtp.host);
                put(e, "SMTP_PORT", notifications.smtp.port);
                put(e, "SMTP_STARTTLS", notifications.smtp.starttls);
                put(e, "SMTP_USERNAME", notifications.smtp.username);
                put(e, "SMTP_PASSWORD", notifications.smtp.password);
                put(e, "SMTP_FROM", notifications.smtp.from);
                put(e, "SMTP_TO", join(notifications.smtp.to, ","));
            }
        }
        if (queueWatch != null) {
            put(e, "FLEETWATCH_QUEUE_WARNING", queueWatch.warning);
            put(e, "FLEETWATCH_QUEUE_CRITICAL", queueWatch.critical);
        }
        if (api != null) {
            put(e, "FLEETWATCH_API_HOST", api.host);
            put(e, "FLEETWATCH_API_PORT", api.port);
            put(e, "FLEETWATCH_API_TOKEN", api.token);
            put(e, "FLEETWATCH_API_TOKEN_FILE", api.tokenFile);
            put(e, "FLEETWATCH_API_CORS_ORIGINS", join(api.corsOrigins, ","));
        }
        if (scan != null) {
            put(e, "FLEETWATCH_SCAN_ALLOW", join(scan.allow, ","));
            put(e, "FLEETWATCH_SCAN_DENY", join(scan.deny, ","));
            put(e, "FLEETWATCH_SCAN_SCHEDULES", join(scan.schedules, ";"));
        }
        if (ssh != null) {
            put(e, "FLEETWATCH_SSH_USER", ssh.user);
            put(e, "FLEETWATCH_SSH_KEY", ssh.key);
            put(e, "FLEETWATCH_SSH_KNOWN_HOSTS", ssh.knownHosts);
            put(e, "FLEETWATCH_SSH_PASSWORD", ssh.password);
            put(e, "FLEETWATCH_SSH_PASSWORD_FILE", ssh.passwordFile);
            put(e, "FLEETWATCH_SSH_TOFU", ssh.tofu);
            put(e, "FLEETWATCH_SSH_CONNECT_TIMEOUT", ssh.connectTimeout);
            put(e, "FLEETWATCH_SSH_COMMAND_TIMEOUT", ssh.commandTimeout);
        }
        if (agent != null) {
            put(e, "FLEETWATCH_AGENT_INTERVAL", agent.interval);
            put(e, "FLEETWATCH_AGENT_JITTER", agent.jitter);
            put(e, "FLEETWATCH_AGENT_MOUNT", agent.mount);
            put(e, "FLEETWATCH_AGENT_SPOOL_MAX_MB", agent.spoolMaxMb);
            put(e, "FLEETWATCH_AGENT_SPOOL_MAX_AGE", agent.spoolMaxAge);
            put(e, "FLEETWATCH_AGENT_STATE_DIR", agent.stateDir);
        }
        if (serve != null) {
            put(e, "FLEETWATCH_SERVE_COMPONENTS", join(serve.components, ","));
        }
        return e;
    }

    private static void put(Map<String, String> e, String key, Object value) {
        if (value != null) {
            e.put(key, value.toString());
        }
    }

    private static String join(List<String> values, String sep) {
        return values == null ? null : String.join(sep, values);
    }
}
