package io.fleetwatch.messages;

import static io.fleetwatch.messages.internal.Checks.hostIp;
import static io.fleetwatch.messages.internal.Checks.hostnameOrNull;
import static io.fleetwatch.messages.internal.Checks.idOrNull;
import static io.fleetwatch.messages.internal.Checks.instant;
import static io.fleetwatch.messages.internal.Checks.macOrNull;
import static io.fleetwatch.messages.internal.Checks.range;
import static io.fleetwatch.messages.internal.Checks.required;
import static io.fleetwatch.messages.internal.Checks.textOrNull;
import static io.fleetwatch.messages.internal.Checks.token;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * One live host found by a scan; routing key {@code discovery.new}; fields in docs/contract.md.
 *
 * @param scanId      the scan job that found it (null for a host reported outside a scan)
 * @param deptId      department the scanned range belongs to
 * @param scanType    the probe that found the host: {@code arp}, {@code arp_cache}, {@code icmp}, {@code tcp}, {@code ping}
 * @param vendor      the MAC's registered vendor (IEEE OUI), when known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record DiscoveryMessage(
        @JsonProperty("schema_version") Integer schemaVersion,
        @JsonProperty("scan_id") Long scanId,
        @JsonProperty("dept_id") Integer deptId,
        @JsonProperty("ip_address") String ipAddress,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("mac_address") String macAddress,
        @JsonProperty("discovered_at") Instant discoveredAt,
        @JsonProperty("scan_type") String scanType,
        @JsonProperty("vendor") String vendor) {

    public DiscoveryMessage {
        schemaVersion = SchemaVersion.check(schemaVersion);
        scanId = idOrNull("scan_id", scanId, Bounds.PRODUCER_ID_MAX);
        range("dept_id", required("dept_id", deptId), 1, Bounds.DEPT_ID_MAX);
        ipAddress = hostIp("ip_address", ipAddress); // without a MAC, the IP is the host's identity
        hostname = hostnameOrNull("hostname", hostname);
        macAddress = macOrNull("mac_address", macAddress);
        instant("discovered_at", discoveredAt);
        scanType = token("scan_type", scanType);
        vendor = textOrNull("vendor", vendor, Bounds.VENDOR_MAX);
    }

    public static DiscoveryMessage of(Long scanId, int deptId, String ip, String hostname, String mac,
                                      Instant discoveredAt, String scanType) {
        return new DiscoveryMessage(SchemaVersion.CURRENT, scanId, deptId, ip, hostname, mac, discoveredAt, scanType,
                null);
    }

    /** The same host with its identity filled in (name from reverse DNS, vendor from the OUI table). */
    public DiscoveryMessage withIdentity(String hostname, String vendor) {
        return new DiscoveryMessage(schemaVersion, scanId, deptId, ipAddress, hostname, macAddress, discoveredAt, scanType,
                vendor);
    }
}
