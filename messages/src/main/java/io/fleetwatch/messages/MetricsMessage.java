package io.fleetwatch.messages;

import static io.fleetwatch.messages.internal.Checks.hostIdOrNull;
import static io.fleetwatch.messages.internal.Checks.hostIpOrNull;
import static io.fleetwatch.messages.internal.Checks.hostnameOrNull;
import static io.fleetwatch.messages.internal.Checks.idOrNull;
import static io.fleetwatch.messages.internal.Checks.instant;
import static io.fleetwatch.messages.internal.Checks.macOrNull;
import static io.fleetwatch.messages.internal.Checks.optionalPercent;
import static io.fleetwatch.messages.internal.Checks.percent;
import static io.fleetwatch.messages.internal.Checks.range;
import static io.fleetwatch.messages.internal.Checks.required;
import static io.fleetwatch.messages.internal.Checks.systemOrHost;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One sample of the eight metrics of a host; routing key {@code metrics.collected}.
 *
 * <p>The contract (docs/contract.md) identifies the host by {@code system_id} (the database id). Agents and the collector may not know it,
 * so they send {@code host_id} (machine-id / DMI UUID) and {@code hostname} instead; one of {@code system_id} and
 * {@code host_id} is required. {@code seq} numbers the samples of one source so that a replayed or redelivered
 * sample is stored once. Agents also send their primary {@code ip_address} and {@code mac_address} (so the consumer can
 * link the agent to the host the scanner found) and {@code clone_suspected} when the machine-id came with a cloned
 * image.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record MetricsMessage(
        @JsonProperty("schema_version") Integer schemaVersion,
        @JsonProperty("system_id") Long systemId,
        @JsonProperty("host_id") String hostId,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("seq") Long seq,
        @JsonProperty("collected_at") Instant collectedAt,
        @JsonProperty("metrics") Metrics metrics,
        @JsonProperty("ip_address") String ipAddress,
        @JsonProperty("mac_address") String macAddress,
        @JsonProperty("clone_suspected") Boolean cloneSuspected) {

    public MetricsMessage {
        schemaVersion = SchemaVersion.check(schemaVersion);
        systemId = idOrNull("system_id", systemId, Bounds.PRODUCER_ID_MAX);
        hostId = hostIdOrNull("host_id", hostId);
        hostname = hostnameOrNull("hostname", hostname);
        systemOrHost(systemId, hostId);
        if (seq != null && seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, not " + seq);
        }
        instant("collected_at", collectedAt);
        required("metrics", metrics);
        ipAddress = hostIpOrNull("ip_address", ipAddress);
        macAddress = macOrNull("mac_address", macAddress);
    }

    /** A sample without the agent's network identity (collector, tests). */
    public MetricsMessage(Integer schemaVersion, Long systemId, String hostId, String hostname, Long seq,
                          Instant collectedAt, Metrics metrics) {
        this(schemaVersion, systemId, hostId, hostname, seq, collectedAt, metrics, null, null, null);
    }

    /** The eight metrics. {@code gpu_percent} is null on a host without a GPU, never 0 for "none". */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Metrics(
            @JsonProperty(value = "cpu_percent", required = true) Double cpuPercent,
            @JsonProperty(value = "ram_percent", required = true) Double ramPercent,
            @JsonProperty(value = "disk_percent", required = true) Double diskPercent,
            @JsonProperty(value = "network_sent_mbps", required = true) Double networkSentMbps,
            @JsonProperty(value = "network_recv_mbps", required = true) Double networkRecvMbps,
            @JsonProperty("gpu_percent") Double gpuPercent,
            @JsonProperty(value = "uptime_seconds", required = true) Long uptimeSeconds,
            @JsonProperty(value = "logged_in_users", required = true) Integer loggedInUsers) {

        public Metrics {
            percent("metrics.cpu_percent", required("metrics.cpu_percent", cpuPercent));
            percent("metrics.ram_percent", required("metrics.ram_percent", ramPercent));
            percent("metrics.disk_percent", required("metrics.disk_percent", diskPercent));
            range("metrics.network_sent_mbps", required("metrics.network_sent_mbps", networkSentMbps), 0.0,
                    Bounds.MBPS_MAX);
            range("metrics.network_recv_mbps", required("metrics.network_recv_mbps", networkRecvMbps), 0.0,
                    Bounds.MBPS_MAX);
            optionalPercent("metrics.gpu_percent", gpuPercent);
            range("metrics.uptime_seconds", required("metrics.uptime_seconds", uptimeSeconds), 0,
                    Bounds.UPTIME_SECONDS_MAX);
            range("metrics.logged_in_users", required("metrics.logged_in_users", loggedInUsers), 0, Bounds.USERS_MAX);
        }
    }
}
