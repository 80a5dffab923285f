package io.fleetwatch.procfs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Disk use as {@code df} prints it: used / (used + available), rounded up. */
public final class Df {
    private Df() {}

    /** One line of {@code df -P -k}: sizes in KiB, the Capacity column, the mount point. */
    public record Row(long totalKib, long usedKib, long availableKib, double capacity, String mount) {}

    /** From statvfs figures: used = total − free; available excludes the blocks reserved for root. */
    public static double percent(long total, long free, long available) {
        long used = total - free;
        long denominator = used + available;
        return denominator <= 0 ? 0.0 : Math.ceil(100.0 * used / denominator);
    }

    /** The Capacity of {@code mount} in {@code df -P} output. */
    public static double percentOf(String dfP, String mount) {
        for (Row r : rows(dfP)) {
            if (r.mount().equals(mount)) {
                return r.capacity();
            }
        }
        throw new IllegalArgumentException("df output has no line for mount point " + mount);
    }

    /**
     * Every line of {@code df -P} output but the header. POSIX format keeps one line per file system, but device
     * names and mount points may contain spaces, so a line is read from both ends: the first five fields after the
     * device are numbers and a percentage, the rest is the mount point. A line that does not fit (a file system
     * without sizes) is left out.
     */
    public static List<Row> rows(String dfP) {
        String[] lines = dfP.split("\n");
        List<Row> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            Matcher m = LINE.matcher(lines[i]);
            if (m.matches()) {
                out.add(new Row(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                        Double.parseDouble(m.group(4)), m.group(5)));
            }
        }
        return out;
    }

    // device (any text) , total, used, available, capacity%, mount point (any text, may hold spaces)
    private static final Pattern LINE = Pattern.compile(".*?\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s+(/.*)");
}
