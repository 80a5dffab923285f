package io.fleetwatch.messages;

import static io.fleetwatch.messages.internal.Checks.hostIdOrNull;
import static io.fleetwatch.messages.internal.Checks.hostIpOrNull;
import static io.fleetwatch.messages.internal.Checks.hostnameOrNull;
import static io.fleetwatch.messages.internal.Checks.idOrNull;
import static io.fleetwatch.messages.internal.Checks.instant;
import static io.fleetwatch.messages.internal.Checks.macOrNull;
import static io.fleetwatch.messages.internal.Checks.percent;
import static io.fleetwatch.messages.internal.Checks.range;
import static io.fleetwatch.messages.internal.Checks.required;
import static io.fleetwatch.messages.internal.Checks.systemOrHost;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One sample of the metrics of a host (those of {@link MetricCatalog}); routing key {@code metrics.collected}.
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

    /**
     * The values of one sample, one per metric of {@link MetricCatalog#DEFAULT} (keyed by its name; an absent key is a
     * metric the host does not report), and the host's mounted filesystems. Validated against the catalog;
     * {@code filesystem_usage_max} is derived here from {@code filesystems}. {@code gpu_percent} is null on a host
     * without a GPU, never 0 for "none". JSON: {@link MetricsJson}, driven by the catalog.
     */
    @JsonSerialize(using = MetricsJson.MetricsSerializer.class)
    @JsonDeserialize(using = MetricsJson.MetricsDeserializer.class)
    public record Metrics(Map<String, Number> values, List<Filesystem> filesystems) {

        public Metrics {
            MetricCatalog catalog = MetricCatalog.DEFAULT;
            values = values == null ? Map.of() : values;
            filesystems = filesystems == null ? List.of() : List.copyOf(filesystems);
            for (String name : values.keySet()) {
                if (catalog.find(name).isEmpty()) {
                    throw new IllegalArgumentException("metrics." + name + " is not a metric of the catalog");
                }
            }
            if (filesystems.size() > Bounds.FILESYSTEMS_MAX) {
                throw new IllegalArgumentException("metrics.filesystems has " + filesystems.size()
                        + " entries, at most " + Bounds.FILESYSTEMS_MAX);
            }
            Set<String> mounts = new HashSet<>();
            for (Filesystem f : filesystems) {
                if (!mounts.add(f.mount())) {
                    throw new IllegalArgumentException("metrics.filesystems names mount " + f.mount() + " twice");
                }
            }
            Map<String, Number> checked = new LinkedHashMap<>();
            for (Metric m : catalog.all()) {
                Number v = m.derived() ? derived(m.name(), filesystems) : values.get(m.name());
                v = m.check("metrics." + m.name(), v);
                if (v != null) {
                    checked.put(m.name(), v);
                }
            }
            values = Collections.unmodifiableMap(checked);
        }

        /** The contract's eight metrics of schema_version 1, positionally (producers of those eight, tests). */
        public Metrics(Double cpuPercent, Double ramPercent, Double diskPercent, Double networkSentMbps,
                       Double networkRecvMbps, Double gpuPercent, Long uptimeSeconds, Integer loggedInUsers) {
            this(legacy(cpuPercent, ramPercent, diskPercent, networkSentMbps, networkRecvMbps, gpuPercent,
                    uptimeSeconds, loggedInUsers), List.of());
        }

        private static Map<String, Number> legacy(Double cpu, Double ram, Double disk, Double sent, Double recv,
                                                  Double gpu, Long uptime, Integer users) {
            Map<String, Number> m = new HashMap<>();
            m.put(MetricCatalog.CPU_PERCENT, cpu);
            m.put(MetricCatalog.RAM_PERCENT, ram);
            m.put(MetricCatalog.DISK_PERCENT, disk);
            m.put(MetricCatalog.NETWORK_SENT_MBPS, sent);
            m.put(MetricCatalog.NETWORK_RECV_MBPS, recv);
            m.put(MetricCatalog.GPU_PERCENT, gpu);
            m.put(MetricCatalog.UPTIME_SECONDS, uptime);
            m.put(MetricCatalog.LOGGED_IN_USERS, users);
            m.values().removeIf(java.util.Objects::isNull);
            return m;
        }

        private static Number derived(String name, List<Filesystem> filesystems) {
            if (MetricCatalog.FILESYSTEM_USAGE_MAX.equals(name)) {
                // a loop, not a stream: the agent samples this every interval and streams cost it ~16 classes of RSS
                Double max = null;
                for (Filesystem f : filesystems) {
                    if (max == null || f.usage() > max) {
                        max = f.usage();
                    }
                }
                return max;
            }
            throw new IllegalStateException("no derivation for the catalog's derived metric " + name);
        }

        /** This sample with {@code name} set (null: removed); validated like the rest. */
        public Metrics with(String name, Number value) {
            Map<String, Number> m = new HashMap<>(values);
            if (value == null) {
                m.remove(name);
            } else {
                m.put(name, value);
            }
            return new Metrics(m, filesystems);
        }

        /** This sample with these filesystems (and their derived maximum). */
        public Metrics withFilesystems(List<Filesystem> fs) {
            return new Metrics(values, fs);
        }

        /** The value of a metric of the catalog, null when the sample lacks it. */
        public Number get(String name) {
            return values.get(name);
        }

        public Double cpuPercent() {
            return dbl(MetricCatalog.CPU_PERCENT);
        }

        public Double ramPercent() {
            return dbl(MetricCatalog.RAM_PERCENT);
        }

        public Double diskPercent() {
            return dbl(MetricCatalog.DISK_PERCENT);
        }

        public Double networkSentMbps() {
            return dbl(MetricCatalog.NETWORK_SENT_MBPS);
        }

        public Double networkRecvMbps() {
            return dbl(MetricCatalog.NETWORK_RECV_MBPS);
        }

        public Double gpuPercent() {
            return dbl(MetricCatalog.GPU_PERCENT);
        }

        public Long uptimeSeconds() {
            Number n = values.get(MetricCatalog.UPTIME_SECONDS);
            return n == null ? null : n.longValue();
        }

        public Integer loggedInUsers() {
            Number n = values.get(MetricCatalog.LOGGED_IN_USERS);
            return n == null ? null : n.intValue();
        }

        private Double dbl(String name) {
            Number n = values.get(name);
            return n == null ? null : n.doubleValue();
        }
    }

    /**
     * One mounted filesystem of a sample: its mount point, used share (percent) and size in GB (10^9 bytes, optional).
     * Stored per mount in {@code filesystem_metrics}; the fullest is the metric {@code filesystem_usage_max}.
     */
    public record Filesystem(@JsonProperty("mount") String mount, @JsonProperty("usage") double usage,
                             @JsonProperty("size_gb") Double sizeGb) {
        public Filesystem {
            required("metrics.filesystems.mount", mount);
            if (!mount.startsWith("/") || mount.length() > Bounds.MOUNT_MAX
                    || mount.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new IllegalArgumentException("metrics.filesystems.mount must be an absolute path of at most "
                        + Bounds.MOUNT_MAX + " printable characters, not '" + mount.substring(0,
                        Math.min(mount.length(), 40)) + "'");
            }
            percent("metrics.filesystems.usage", usage);
            if (sizeGb != null) {
                range("metrics.filesystems.size_gb", sizeGb, 0.0, Bounds.FILESYSTEM_GB_MAX);
            }
        }
    }
}
