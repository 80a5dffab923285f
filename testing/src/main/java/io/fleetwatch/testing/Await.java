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

    /** Polls until {@code actual} equals {@code expected}; the failure shows both, as last observed. */
    public static <T> void equal(Duration timeout, String what, T expected, Callable<T> actual) throws Exception {
        Object[] last = new Object[1];
        try {
            until(timeout, what, () -> {
                last[0] = actual.call();
                return expected.equals(last[0]);
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n  expected: " + expected + "\n  last seen: " + last[0], e);
        }
    }
}
