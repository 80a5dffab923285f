package io.fleetwatch.cli;

/** Turns an exception into the one line an operator needs. */
final class Errors {
    private Errors() {}

    static String describe(Throwable e) {
        String msg = e.getMessage() != null ? e.getMessage() : root(e).toString();
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    static Throwable root(Throwable e) {
        Throwable r = e;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r;
    }
}
