package io.fleetwatch.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls a condition until it holds or the time is up; the failure says what was awaited. */
public final class Await {
    private Await() {}

    public static void until(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Boolean.TRUE.equals(condition.call())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(25);
        }
    }
}
