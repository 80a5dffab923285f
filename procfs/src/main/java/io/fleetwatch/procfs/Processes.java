package io.fleetwatch.procfs;

/**
 * process_count: the numeric entries of /proc, one per process (threads have no entry of their own in a listing of
 * /proc, only under /proc/PID/task). OSHI's {@code OperatingSystem.getProcessCount()} counts the same on Linux.
 */
public final class Processes {
    private Processes() {}

    /** Whether a /proc entry names a process. */
    public static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The processes in an {@code ls /proc} listing, one name a line. */
    public static int count(String lsProc) {
        int n = 0;
        for (String line : lsProc.split("\n")) {
            if (isPid(line.trim())) {
                n++;
            }
        }
        return n;
    }

    /** The processes among directory entry names (the agent's {@code File.list()} of /proc). */
    public static int count(String[] names) {
        int n = 0;
        for (String name : names) {
            if (isPid(name)) {
                n++;
            }
        }
        return n;
    }
}
