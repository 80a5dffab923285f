package io.fleetwatch.procfs;

/** Disk use as {@code df} prints it: used / (used + available), rounded up. */
public final class Df {
    private Df() {}

    /** From statvfs figures: used = total − free; available excludes the blocks reserved for root. */
    public static double percent(long total, long free, long available) {
        long used = total - free;
        long denominator = used + available;
        return denominator <= 0 ? 0.0 : Math.ceil(100.0 * used / denominator);
    }

    /**
     * The Capacity of {@code mount} in {@code df -P} output. POSIX format keeps one line per file system, but device
     * names and mount points may contain spaces, so the line is read from both ends: the first five fields after the
     * device are numbers and a percentage, the rest is the mount point.
     */
    public static double percentOf(String dfP, String mount) {
        String[] lines = dfP.split("\n");
        for (int i = 1; i < lines.length; i++) {
            java.util.regex.Matcher m = LINE.matcher(lines[i]);
            if (m.matches() && m.group(2).equals(mount)) {
                return Double.parseDouble(m.group(1));
            }
        }
        throw new IllegalArgumentException("df output has no line for mount point " + mount);
    }

    // device (any text) , total, used, available, capacity%, mount point (any text, may hold spaces)
    private static final java.util.regex.Pattern LINE =
            java.util.regex.Pattern.compile(".*?\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+)%\\s+(/.*)");
}
