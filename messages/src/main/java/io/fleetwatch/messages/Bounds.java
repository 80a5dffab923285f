package io.fleetwatch.messages;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The bounds of every field of the message contract, defined once: the records check them in their compact
 * constructors, the database repeats them as constraints (migration V8 builds its CHECKs from these constants), and
 * the fuzzer generates values at and beyond each of them. Each bound is what the storage, the rollups, the alert
 * trigger and the API can hold with room to spare, not what a host can report today.
 */
public final class Bounds {
    private Bounds() {}

    /** {@code *_percent}: a share. */
    public static final double PERCENT_MAX = 100.0;

    /**
     * {@code network_*_mbps}: 1 Tbit/s, above any host's NIC. The 5-minute rollup averages (sums) samples; with this
     * bound the sum of even a year of samples stays many orders of magnitude below double's overflow.
     */
    public static final double MBPS_MAX = 1_000_000.0;

    /** {@code uptime_seconds}: 100 years. */
    public static final long UPTIME_SECONDS_MAX = 100L * 366 * 24 * 3600;

    /** {@code logged_in_users}: sessions on one host. */
    public static final int USERS_MAX = 100_000;

    /** {@code metrics.filesystems}: mounts in one sample, length of a mount point, size of one filesystem (1 EB). */
    public static final int FILESYSTEMS_MAX = 256;
    public static final int MOUNT_MAX = 512;
    public static final double FILESYSTEM_GB_MAX = 1e9;

    /** Alert {@code value} and {@code threshold}: absolute value; metrics are percent or Mbit/s, both far below. */
    public static final double ALERT_VALUE_MAX = 1e12;

    /**
     * Largest {@code system_id}, {@code scan_id} or {@code alert_id} a producer may name. Ids named by producers are
     * adopted and the table's bigint identity sequence is moved past them; at most this far, a sequence keeps
     * over 9.2 * 10^18 values, so no input can exhaust it.
     */
    public static final long PRODUCER_ID_MAX = 1_000_000_000_000L;

    /** Largest {@code dept_id} a producer may name: departments has an integer sequence (2,147,483,647 at most). */
    public static final int DEPT_ID_MAX = 1_000_000;

    /** Timestamps (absolute, also a database constraint): from 2000 to 2100. */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2100-01-01T00:00:00Z");

    /** Relative to the consumer's clock: a timestamp later than this is a producer with a wrong clock. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    /**
     * Relative to the consumer's clock: older than this is refused. Below the default retention (90 days), so an
     * accepted sample is not purged at the next maintenance run; above an agent's spool (hours to days).
     */
    public static final Duration MAX_AGE = Duration.ofDays(30);

    /**
     * Refuses a timestamp outside [now - {@link #MAX_AGE}, now + {@link #MAX_CLOCK_SKEW}]: the consumer's check, on
     * top of the records' absolute {@link #EARLIEST}/{@link #LATEST}.
     */
    public static void requireRecent(String field, Instant t, Instant now) throws InvalidMessageException {
        if (t.isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw new InvalidMessageException("contract violation: " + field + " " + t + " is more than "
                    + MAX_CLOCK_SKEW.toMinutes() + " min in the future (producer clock wrong?)");
        }
        if (t.isBefore(now.minus(MAX_AGE))) {
            throw new InvalidMessageException("contract violation: " + field + " " + t + " is more than "
                    + MAX_AGE.toDays() + " days old");
        }
    }

    /** {@code host_id}: length (machine-id is 32, a DMI UUID 36). */
    public static final int HOST_ID_MIN = 8;
    public static final int HOST_ID_MAX = 128;

    /** {@code hostname}: a DNS name. */
    public static final int HOSTNAME_MAX = 253;

    /** {@code vendor} (free text). */
    public static final int VENDOR_MAX = 200;

    /** {@code alert_type}, {@code scan_type}: lower-case words. */
    public static final int TOKEN_MAX = 64;

    /** Inventory: entries in each of its lists (disks, file systems, network interfaces, GPUs). */
    public static final int INVENTORY_LIST_MAX = 128;

    /** Inventory: free-text fields (CPU model, OS name, serials, BIOS version, mount points …). */
    public static final int INVENTORY_TEXT_MAX = 255;

    /** Inventory: sizes in bytes (memory, disks, file systems, GPU memory): 2^60, an exbibyte. */
    public static final long INVENTORY_BYTES_MAX = 1L << 60;

    /** Inventory: CPU cores (physical or logical) of one host. */
    public static final int INVENTORY_CORES_MAX = 100_000;

    /** JSON: bytes of one message, nesting depth (the contract needs 3: the inventory's lists of objects). */
    public static final int MESSAGE_BYTES_MAX = 64 * 1024;
    public static final int JSON_DEPTH_MAX = 8;

    /**
     * MACs that many machines report, so never an identity: they are dropped from the message (the host is
     * identified otherwise), never merged. Besides these, all-zero, broadcast and every multicast (group) address.
     * QEMU gives every guest 52:54:00:12:34:56 unless told otherwise; Docker derives a container's MAC from its IP on
     * the default bridge (172.17.0.0/16), so containers on different hosts share 02:42:AC:11:xx:xx.
     */
    public static final List<String> PLACEHOLDER_MAC_PREFIXES = List.of("52:54:00:12:34:56", "02:42:AC:11:");

    /** Host names that every machine has; dropped from the message like a placeholder MAC. */
    public static final Set<String> PLACEHOLDER_HOSTNAMES = Set.of("localhost", "localhost.localdomain",
            "localhost4", "localhost4.localdomain4", "localhost6", "localhost6.localdomain6", "ip6-localhost",
            "ip6-loopback", "localdomain", "unknown", "none");

    /**
     * Machine ids that many machines report (a blank DMI UUID, a machine-id never initialised): refused, since
     * the host_id is the host's identity. Besides this, every id of only 0s or only Fs (ignoring separators).
     */
    public static final Set<String> PLACEHOLDER_HOST_IDS = Set.of("03000200-0400-0500-0006-000700080009");
}
