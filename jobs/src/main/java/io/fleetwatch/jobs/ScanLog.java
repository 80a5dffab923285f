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
    private volatile java.util.function.BooleanSupplier cancel = () -> false;

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

    /** What {@link #cancelled()} asks (the job's row); a question that fails counts as "not cancelled". */
    ScanLog cancelWhen(java.util.function.BooleanSupplier asked) {
        this.cancel = java.util.Objects.requireNonNull(asked, "asked");
        return this;
    }

    @Override
    public boolean cancelled() {
        try {
            return cancel.getAsBoolean();
        } catch (RuntimeException e) {
            return false; // the database away for a moment: the sweep goes on, the next round asks again
        }
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
