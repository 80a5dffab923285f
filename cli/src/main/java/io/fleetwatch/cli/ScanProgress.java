package io.fleetwatch.cli;

import io.fleetwatch.scanner.ScanEvents;
import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What an operator sees of a sweep: warnings echoed to standard error, and a progress bar when standard error is a
 * terminal; quiet in non-interactive use (cron, systemd, pipes).
 */
final class ScanProgress implements ScanEvents, AutoCloseable {
    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private ProgressBar bar;

    ScanProgress(PrintWriter err) {
        this.err = err;
    }

    @Override
    public synchronized void log(String level, String message) {
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

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
