package io.fleetwatch.cli;

import io.fleetwatch.scanner.ScanEvents;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Keeps what a sweep logs (stored with the scan job afterwards), echoes warnings to standard error, and draws a
 * progress bar when standard error is a terminal; quiet in non-interactive use (cron, systemd, pipes).
 */
final class ScanLog implements ScanEvents, AutoCloseable {
    record Line(Instant at, String level, String message) {}

    private final PrintWriter err;
    private final Clock clock;
    private final List<Line> lines = new ArrayList<>();
    private final boolean terminal = System.console() != null;
    private ProgressBar bar;

    ScanLog(PrintWriter err, Clock clock) {
        this.err = err;
        this.clock = clock;
    }

    @Override
    public synchronized void log(String level, String message) {
        lines.add(new Line(clock.instant(), level, message));
        if (!level.equals("info") && !level.equals("debug")) {
            err.println("fleetwatch scan: " + level + ": " + message);
            err.flush();
        }
    }

    @Override
    public synchronized void progress(long done, long total) {
        if (!terminal || total < 256) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName("scan").setInitialMax(total).setUnit(" addr", 1)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
        }
        bar.stepTo(done);
    }

    synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
