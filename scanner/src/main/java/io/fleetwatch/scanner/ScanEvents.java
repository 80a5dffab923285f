package io.fleetwatch.scanner;

/**
 * What a sweep tells its caller while it runs: log lines worth keeping with the scan job (probe choices, warnings such
 * as suspected proxy ARP) and progress for a terminal's progress bar.
 */
public interface ScanEvents {
    ScanEvents NONE = new ScanEvents() {};

    default void log(String level, String message) {}

    /** {@code done} of {@code total} addresses have been through every probe. */
    default void progress(long done, long total) {}

    /**
     * Asked between probe rounds: true stops the sweep there, keeping the hosts found so far (a cancelled scan job).
     */
    default boolean cancelled() {
        return false;
    }
}
