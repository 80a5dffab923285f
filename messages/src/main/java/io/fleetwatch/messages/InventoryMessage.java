package io.fleetwatch.messages;

import static io.fleetwatch.messages.internal.Checks.hostIdOrNull;
import static io.fleetwatch.messages.internal.Checks.hostIpOrNull;
import static io.fleetwatch.messages.internal.Checks.hostnameOrNull;
import static io.fleetwatch.messages.internal.Checks.idOrNull;
import static io.fleetwatch.messages.internal.Checks.instant;
import static io.fleetwatch.messages.internal.Checks.macOrNull;
import static io.fleetwatch.messages.internal.Checks.required;
import static io.fleetwatch.messages.internal.Checks.systemOrHost;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fleetwatch.messages.internal.Checks;
import jakarta.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The hardware and operating system of a host; routing key {@code inventory.collected}. Sent by the agent and the
 * collector at start and whenever it changes (docs/contract.md, "Inventory message").
 *
 * <p>The host is named as in {@link MetricsMessage}: {@code system_id}, or {@code host_id} with {@code hostname}.
 * Every inventory field is optional: a host shows what it can (DMI serials need root on Linux). Lists are kept in a
 * canonical order (by name or mount), so two reports of the same hardware are equal records with the same
 * {@link #contentHash()} whatever order the producer listed them in.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record InventoryMessage(
        @JsonProperty("schema_version") Integer schemaVersion,
        @Nullable @JsonProperty("system_id") Long systemId,
        @Nullable @JsonProperty("host_id") String hostId,
        @Nullable @JsonProperty("hostname") String hostname,
        @JsonProperty("collected_at") Instant collectedAt,
        @Nullable @JsonProperty("ip_address") String ipAddress,
        @Nullable @JsonProperty("mac_address") String macAddress,
        @Nullable @JsonProperty("cpu") Cpu cpu,
        @Nullable @JsonProperty("memory_bytes") Long memoryBytes,
        @JsonProperty("disks") List<Disk> disks,
        @JsonProperty("filesystems") List<FileSystem> filesystems,
        @JsonProperty("network_interfaces") List<NetworkInterface> networkInterfaces,
        @JsonProperty("gpus") List<Gpu> gpus,
        @Nullable @JsonProperty("os") Os os,
        @Nullable @JsonProperty("hardware") Hardware hardware,
        @Nullable @JsonProperty("bios") Bios bios) {

    public InventoryMessage {
        schemaVersion = SchemaVersion.check(schemaVersion);
        systemId = idOrNull("system_id", systemId, Bounds.PRODUCER_ID_MAX);
        hostId = hostIdOrNull("host_id", hostId);
        hostname = hostnameOrNull("hostname", hostname);
        systemOrHost(systemId, hostId);
        instant("collected_at", collectedAt);
        ipAddress = hostIpOrNull("ip_address", ipAddress);
        macAddress = macOrNull("mac_address", macAddress);
        memoryBytes = bytes("memory_bytes", memoryBytes);
        disks = list("disks", disks, Disk::name);
        filesystems = list("filesystems", filesystems, FileSystem::mount);
        networkInterfaces = list("network_interfaces", networkInterfaces, NetworkInterface::name);
        gpus = list("gpus", gpus, Gpu::name);
    }

    /** The same inventory collected at another time (the agent's periodic check keeps the content). */
    public InventoryMessage at(Instant when) {
        return new InventoryMessage(schemaVersion, systemId, hostId, hostname, when, ipAddress, macAddress, cpu,
                memoryBytes, disks, filesystems, networkInterfaces, gpus, os, hardware, bios);
    }

    /** The processor: model name and cores. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Cpu(@Nullable @JsonProperty("model") String model,
                      @Nullable @JsonProperty("physical_cores") Integer physicalCores,
                      @Nullable @JsonProperty("logical_cores") Integer logicalCores) {
        public Cpu {
            model = text("cpu.model", model);
            physicalCores = cores("cpu.physical_cores", physicalCores);
            logicalCores = cores("cpu.logical_cores", logicalCores);
        }
    }

    /** A physical disk (block device), by kernel name. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Disk(@JsonProperty("name") String name,
                       @Nullable @JsonProperty("model") String model,
                       @Nullable @JsonProperty("serial") String serial,
                       @Nullable @JsonProperty("size_bytes") Long sizeBytes) {
        public Disk {
            name = required("disks.name", text("disks.name", name));
            model = text("disks.model", model);
            serial = text("disks.serial", serial);
            sizeBytes = bytes("disks.size_bytes", sizeBytes);
        }
    }

    /** A mounted file system, by mount point. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileSystem(@JsonProperty("mount") String mount,
                             @Nullable @JsonProperty("type") String type,
                             @Nullable @JsonProperty("size_bytes") Long sizeBytes) {
        public FileSystem {
            mount = required("filesystems.mount", text("filesystems.mount", mount));
            type = text("filesystems.type", type);
            sizeBytes = bytes("filesystems.size_bytes", sizeBytes);
        }
    }

    /** A network interface and its hardware address. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record NetworkInterface(@JsonProperty("name") String name,
                                   @Nullable @JsonProperty("mac_address") String macAddress) {
        public NetworkInterface {
            name = required("network_interfaces.name", text("network_interfaces.name", name));
            macAddress = macOrNull("network_interfaces.mac_address", macAddress);
        }
    }

    /** A graphics card. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Gpu(@JsonProperty("name") String name,
                      @Nullable @JsonProperty("vendor") String vendor,
                      @Nullable @JsonProperty("vram_bytes") Long vramBytes) {
        public Gpu {
            name = required("gpus.name", text("gpus.name", name));
            vendor = text("gpus.vendor", vendor);
            vramBytes = bytes("gpus.vram_bytes", vramBytes);
        }
    }

    /** The operating system and the running kernel. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Os(@Nullable @JsonProperty("name") String name,
                     @Nullable @JsonProperty("version") String version,
                     @Nullable @JsonProperty("kernel") String kernel) {
        public Os {
            name = text("os.name", name);
            version = text("os.version", version);
            kernel = text("os.kernel", kernel);
        }
    }

    /** The machine (DMI system and baseboard): serials and UUID are often readable by root only. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Hardware(@Nullable @JsonProperty("manufacturer") String manufacturer,
                           @Nullable @JsonProperty("model") String model,
                           @Nullable @JsonProperty("serial") String serial,
                           @Nullable @JsonProperty("uuid") String uuid,
                           @Nullable @JsonProperty("board_vendor") String boardVendor,
                           @Nullable @JsonProperty("board_model") String boardModel,
                           @Nullable @JsonProperty("board_serial") String boardSerial) {
        public Hardware {
            manufacturer = text("hardware.manufacturer", manufacturer);
            model = text("hardware.model", model);
            serial = text("hardware.serial", serial);
            uuid = text("hardware.uuid", uuid);
            boardVendor = text("hardware.board_vendor", boardVendor);
            boardModel = text("hardware.board_model", boardModel);
            boardSerial = text("hardware.board_serial", boardSerial);
        }
    }

    /** The firmware; {@code release_date} as the firmware reports it (DMI writes MM/DD/YYYY). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Bios(@Nullable @JsonProperty("vendor") String vendor,
                       @Nullable @JsonProperty("version") String version,
                       @Nullable @JsonProperty("release_date") String releaseDate) {
        public Bios {
            vendor = text("bios.vendor", vendor);
            version = text("bios.version", version);
            releaseDate = text("bios.release_date", releaseDate);
        }
    }

    /** The inventory without the identity and the time: what {@link #contentHash()} covers. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Content(@Nullable @JsonProperty("cpu") Cpu cpu, @Nullable @JsonProperty("memory_bytes") Long memoryBytes,
                   @JsonProperty("disks") List<Disk> disks, @JsonProperty("filesystems") List<FileSystem> filesystems,
                   @JsonProperty("network_interfaces") List<NetworkInterface> networkInterfaces,
                   @JsonProperty("gpus") List<Gpu> gpus, @Nullable @JsonProperty("os") Os os,
                   @Nullable @JsonProperty("hardware") Hardware hardware, @Nullable @JsonProperty("bios") Bios bios) {}

    Content content() {
        return new Content(cpu, memoryBytes, disks, filesystems, networkInterfaces, gpus, os, hardware, bios);
    }

    /**
     * SHA-256 (hex) of the inventory's content, leaving out the identity fields, {@code collected_at} and
     * {@code schema_version}: equal for two reports of the same hardware and OS, so the agent sends only changes and
     * the consumer stores a redelivery once.
     */
    public String contentHash() {
        try {
            byte[] canonical = MessageCodec.encode(content());
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** The content as JSON (UTF-8), as the consumer stores it. */
    public String contentJson() {
        return new String(MessageCodec.encode(content()), StandardCharsets.UTF_8);
    }

    // ---- checks

    private static String text(String field, String value) {
        return Checks.textOrNull(field, value == null ? null : value.strip(), Bounds.INVENTORY_TEXT_MAX);
    }

    private static Long bytes(String field, Long value) {
        return value == null ? null : Checks.range(field, value, 0, Bounds.INVENTORY_BYTES_MAX);
    }

    private static Integer cores(String field, Integer value) {
        return value == null ? null : (int) Checks.range(field, value, 1, Bounds.INVENTORY_CORES_MAX);
    }

    /** At most {@link Bounds#INVENTORY_LIST_MAX} entries, no null entry, keys unique; sorted by key. */
    private static <T> List<T> list(String field, List<T> values, Function<T, String> key) {
        if (values == null) {
            return List.of();
        }
        if (values.size() > Bounds.INVENTORY_LIST_MAX) {
            throw new IllegalArgumentException(field + " has " + values.size() + " entries, at most "
                    + Bounds.INVENTORY_LIST_MAX);
        }
        Set<String> seen = new HashSet<>();
        List<T> sorted = new ArrayList<>(values.size());
        for (T v : values) {
            if (v == null) {
                throw new IllegalArgumentException(field + " contains null");
            }
            if (!seen.add(key.apply(v))) {
                throw new IllegalArgumentException(field + " lists '" + Checks.abbreviate(key.apply(v)) + "' twice");
            }
            sorted.add(v);
        }
        sorted.sort(Comparator.comparing(key));
        return List.copyOf(sorted);
    }
}
