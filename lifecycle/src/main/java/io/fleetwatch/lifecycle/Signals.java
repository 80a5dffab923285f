package io.fleetwatch.lifecycle;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * How a long-running Fleetwatch process waits for SIGTERM or SIGINT. Handling the signal ourselves, rather than in a JVM
 * shutdown hook, lets the caller drain (finish and ack the batch in hand, flush the spool) and then return, so the
 * process exits 0 as systemd and {@code docker stop} expect; a JVM killed by a signal exits 143. A second signal
 * while draining ends the process at once (an impatient Ctrl-C).
 */
public final class Signals {
    private Signals() {}

    private static volatile boolean hangupHandled;

    /**
     * Blocks until SIGTERM or SIGINT, and returns the name of the signal. A process that has nothing to reload
     * logs SIGHUP and goes on (the JVM's default would be to exit, which `systemctl reload` should never cause).
     */
    public static String awaitStop() throws InterruptedException {
        if (!hangupHandled) {
            Signal.handle(new Signal("HUP"), s -> org.slf4j.LoggerFactory.getLogger(Signals.class)
                    .info("SIGHUP: this command has nothing to reload; restart it to apply configuration changes"));
        }
        CountDownLatch latch = new CountDownLatch(1);
        AtomicInteger received = new AtomicInteger();
        String[] name = new String[1];
        for (String sig : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(sig), s -> {
                if (received.incrementAndGet() > 1) {
                    Runtime.getRuntime().halt(130); // second signal: stop draining, stop now
                }
                name[0] = "SIG" + s.getName();
                latch.countDown();
            });
        }
        latch.await();
        return name[0];
    }

    private static final List<Runnable> HANGUP = new CopyOnWriteArrayList<>();

    /**
     * Calls {@code action} on every SIGHUP (reload), on the signal-dispatch thread, after the actions registered
     * before it: in {@code serve}, the configuration reload and the API's certificate reload both run. One that fails
     * is logged and does not keep the others from running.
     */
    public static synchronized void onHangup(Runnable action) {
        HANGUP.add(action);
        if (!hangupHandled) {
            hangupHandled = true;
            // A process started with SIGHUP ignored (nohup) keeps it ignored: the JVM installs no handler then
            Object before = Signal.handle(new Signal("HUP"), s -> {
                for (Runnable r : HANGUP) {
                    try {
                        r.run();
                    } catch (RuntimeException e) {
                        org.slf4j.LoggerFactory.getLogger(Signals.class).error("SIGHUP: {}", e.getMessage(), e);
                    }
                }
            });
            if (before == sun.misc.SignalHandler.SIG_IGN) {
                org.slf4j.LoggerFactory.getLogger(Signals.class).warn("SIGHUP is ignored by this process (started"
                        + " under nohup?): a reload by SIGHUP does nothing; restart it without nohup to reload");
            }
        }
    }
}
