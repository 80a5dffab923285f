package io.fleetwatch.jobs;

/** Turns an exception into the one line an operator needs (a failed job's error, the CLI's message). */
public final class Errors {
    private Errors() {}

    public static String describe(Throwable e) {
        String msg = e.getMessage() != null ? e.getMessage() : root(e).toString();
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    public static Throwable root(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}
