package io.fleetwatch.jobs;

import io.fleetwatch.scanner.ScanEvents;
import io.fleetwatch.store.ScanStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps what a sweep logs (stored with the scan job when it finishes) and passes every event on to {@code echo}
 * (the CLI's warnings and progress bar; {@link ScanEvents#NONE} for a job nobody watches).
 */
public final class ScanLog implements ScanEvents, AutoCloseable {
    private final ScanEvents echo;
    private final Clock clock;
    private final List<ScanStore.LogLine> lines = new ArrayList<>();

    public ScanLog(ScanEvents echo, Clock clock) {
        this.echo = Objects.requireNonNull(echo, "echo");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized void log(String level, String message) {
        lines.add(new ScanStore.LogLine(clock.instant(), level, message));
        echo.log(level, message);
    }

    @Override
    public synchronized void progress(long done, long total) {
        echo.progress(done, total);
    }

    public synchronized List<ScanStore.LogLine> lines() {
        return List.copyOf(lines);
    }

    /** Ends the echo (a progress bar is closed); the lines stay. */
    @Override
    public synchronized void close() throws Exception {
        if (echo instanceof AutoCloseable c) {
            c.close();
        }
    }
}
