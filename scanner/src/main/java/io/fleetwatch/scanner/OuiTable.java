package io.fleetwatch.scanner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * MAC prefix → vendor, from the IEEE registries (MA-L, MA-M, MA-S) as shipped in {@code oui.tsv.gz}; the file's
 * {@code #source} line names the Debian ieee-data version it was built from ({@code scanner/tools/build-oui}). The
 * longest registered prefix wins. Locally administered addresses (second-lowest bit of the first octet) have no
 * vendor.
 */
public final class OuiTable {
    private static final String RESOURCE = "oui.tsv.gz";
    private static volatile OuiTable bundled;

    private final Map<String, String> byPrefix;
    private final String source;

    private OuiTable(Map<String, String> byPrefix, String source) {
        this.byPrefix = byPrefix;
        this.source = source;
    }

    /** The table shipped with the scanner (loaded once, about 42,000 entries). */
    public static OuiTable bundled() {
        OuiTable t = bundled;
        if (t == null) {
            synchronized (OuiTable.class) {
                if (bundled == null) {
                    try (InputStream in = OuiTable.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException(RESOURCE + " missing from the scanner jar");
                        }
                        bundled = read(new GZIPInputStream(in));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                t = bundled;
            }
        }
        return t;
    }

    /** Reads "PREFIX<TAB>Organization" lines; a "#source" line names where they came from. */
    public static OuiTable read(InputStream in) throws IOException {
        Map<String, String> map = new HashMap<>(64_000);
        String source = "unknown";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                if (tab < 0) {
                    continue;
                }
                if (line.startsWith("#source")) {
                    source = line.substring(tab + 1);
                } else {
                    map.put(line.substring(0, tab), line.substring(tab + 1));
                }
            }
        }
        return new OuiTable(map, source);
    }

    /** Where the table came from (package and version). */
    public String source() {
        return source;
    }

    public int size() {
        return byPrefix.size();
    }

    /** The vendor of a MAC written as six hex pairs (any of {@code :-.} or none between them). */
    public Optional<String> vendor(String mac) {
        if (mac == null) {
            return Optional.empty();
        }
        String hex = mac.replaceAll("[:\\-.]", "").toUpperCase(Locale.ROOT);
        if (hex.length() != 12 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            return Optional.empty();
        }
        if ((Character.digit(hex.charAt(1), 16) & 0x2) != 0) {
            return Optional.empty(); // locally administered: no registry entry applies
        }
        for (int len : new int[] {9, 7, 6}) {
            String v = byPrefix.get(hex.substring(0, len));
            if (v != null) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
