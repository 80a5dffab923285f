package io.fleetwatch.cli.config;

import io.fleetwatch.settings.Durations;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import java.util.List;

/**
 * The shape of {@code fleetwatch.yml}. Every leaf is optional (null = the component's default) and is one key of the
 * settings table ({@link io.fleetwatch.settings.Keys}), which maps it onto the environment variable the components
 * read ({@code QUEUE_*}, {@code DATABASE_URL}, {@code FLEETWATCH_*}), so the file and the environment describe the
 * same settings. Sections are validated with Bean Validation after {@code ${VAR}} substitution.
 */
public record FleetwatchConfig(@Valid Log log, @Valid Broker broker, @Valid Database database,
                               @Valid Consumer consumer, @Valid Relay relay, @Valid Notify notifications,
                               @Valid QueueWatch queueWatch, @Valid Api api, @Valid Scan scan,
                               @Valid Scheduler scheduler, @Valid Collector collector, @Valid Ssh ssh,
                               @Valid Agent agent, @Valid Serve serve) {

    static final String PORT = "must be a TCP port (1-65535)";
    static final String PORT_OR_OFF = "must be a TCP port (1-65535), or 0 for off";

    /** A component's Prometheus {@code /metrics}: port (0 = off) and listen address. */
    public record Metrics(@Min(value = 0, message = PORT_OR_OFF) @Max(value = 65535, message = PORT_OR_OFF) Integer port,
                          String bind) {}

    public record Log(@Pattern(regexp = "(?i)TRACE|DEBUG|INFO|WARN|ERROR|OFF", message = "must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF") String level,
                      @Pattern(regexp = "text|json", message = "must be text or json") String format) {}

    public record Broker(@Pattern(regexp = "rabbitmq|postgres|redis", message = "must be rabbitmq, postgres or redis") String type,
                         @Pattern(regexp = "rediss?://\\S+", message = "must be redis://host:port") String redisUrl,
                         String uri, String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                         List<@Pattern(regexp = "[^,\\s]+", message = "must be host or host:port") String> hosts,
                         @Pattern(regexp = "classic|quorum", message = "must be classic or quorum") String queueType,
                         String user, String password, String vhost,
                         @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer managementPort,
                         @Pattern(regexp = "https?://[^/\\s]+/?", message = "must be http(s)://host:port") String managementUrl,
                         @Valid Queues queues, @Valid Tls tls, Boolean enabled) {}

    public record Queues(@Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String discovery,
                         @Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String metrics,
                         @Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String alert,
                         @Pattern(regexp = "[A-Za-z0-9_.:-]{1,255}", message = "must be a queue name") String inventory) {}

    public record Tls(Boolean enabled, String caFile, String certFile, String keyFile, Boolean verifyHostname) {}

    public record Database(String url, String password, @Min(1) @Max(200) Integer poolSize,
                           @Pattern(regexp = "auto|require|off", message = "must be auto, require or off") String timescaledb,
                           @Min(1) @Max(36500) Integer retentionDays, @Valid Retention retention, String readUrl,
                           @Min(1) @Max(io.fleetwatch.sql.ReadReplicaSettings.MAX_MAX_LAG_SECONDS) Integer readMaxLagSeconds) {}

    public record Retention(@Min(1) @Max(36500) Integer scansDays, @Min(1) @Max(36500) Integer alertsDays,
                            @Min(1) @Max(36500) Integer notificationsDays, @Min(1) @Max(36500) Integer outboxDays) {}

    public record Consumer(@Min(1) @Max(64) Integer workers, @Min(1) @Max(100_000) Integer batchSize,
                           @Min(1) @Max(60_000) Integer flushMs, @Min(1) @Max(1_000_000) Integer prefetch,
                           @Valid Metrics metrics) {}

    public record Relay(@Min(1) @Max(16) Integer threads, @Valid Metrics metrics) {}

    public record Notify(@Pattern(regexp = "https?://\\S+", message = "must be an http(s) URL") String webhookUrl,
                         String webhookAuthorization, @Min(0) @Max(100) Integer maxRetries,
                         @Min(1) @Max(86_400) Integer retryDelaySeconds, @Valid Smtp smtp) {}

    public record Smtp(String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                       Boolean starttls, String username, String password, String from, List<String> to) {}

    public record QueueWatch(@Min(1) Long warning, @Min(1) Long critical) {}

    public record Api(String host, @Min(value = 1, message = PORT) @Max(value = 65535, message = PORT) Integer port,
                      String token, String tokenFile, List<String> corsOrigins, @Valid ApiAuth auth,
                      List<String> trustedProxies, @Valid ApiTls tls) {}

    public record ApiAuth(@Min(1) Integer maxFailures,
                          @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 1m") String failureWindow) {}

    public record ApiTls(String certFile, String keyFile) {}

    public record Scan(List<String> allow, List<String> deny, List<String> schedules,
                       @Min(1) @Max(100_000) Integer rate, @Min(1) @Max(100_000) Integer burst,
                       @Min(1) @Max(4096) Integer parallelism, List<String> departments,
                       @Min(1) @Max(1000) Integer maxParallelScans, @Min(1) @Max(100) Integer maxAttempts,
                       @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 30s") String retryBackoff) {}

    public record Scheduler(@Valid Metrics metrics) {}

    public record Collector(@Valid Metrics metrics) {}

    public record Ssh(String user, String key, String knownHosts, String password, String passwordFile, Boolean tofu,
                      @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 5s") String connectTimeout,
                      @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 10s") String commandTimeout) {}

    public record Agent(@Pattern(regexp = Durations.REGEX, message = "must be a duration such as 30s") String interval,
                        Boolean jitter,
                        String mount, @DecimalMin("0.0625") Double spoolMaxMb,
                        @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 24h") String spoolMaxAge,
                        String stateDir, @Valid Metrics metrics,
                        @Pattern(regexp = Durations.REGEX, message = "must be a duration such as 15m") String inventoryEvery) {}

    public record Serve(List<@Pattern(regexp = "consumer|relay|api|scheduler|agent",
            message = "must be one of consumer, relay, api, scheduler, agent") String> components) {}
}
