package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Texts a user reads (help, READMEs, docs, comments, messages) name Fleetwatch's own documents (docs/contract.md and
 * the other docs/*.md), never the numbered internal documents the project was started from, which users do not have.
 */
class OwnDocsOnlyTest {
    /** "seed 002", "(seed …" (but a random generator's "(seed)" is fine), the old golden file names. */
    private static final Pattern INTERNAL = Pattern.compile("(?i)\\bseed ?0\\d\\d|\\(seed\\b(?!\\))|\\bseed-(discovery|metrics|alert)\\b");

    private static final Path SELF = Path.of("src/test/java/io/fleetwatch/cli/OwnDocsOnlyTest.java").toAbsolutePath();

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Released migrations keep their bytes: Flyway checks each applied file's checksum, comments included. */
    private static final Set<String> RELEASED = Set.of("sql/src/main/resources/db/migration/V1__base_tables.sql",
            "sql/src/main/resources/db/migration/V3__alerting.sql");

    private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "node_modules", ".mvn");

    @Test
    void helpTextsNameNoInternalDocument() {
        List<String> found = new ArrayList<>();
        collectHelp(Main.commandLine(Map.of()), found);
        assertThat(found).as("help texts").isNotEmpty();
        assertThat(found).filteredOn(t -> INTERNAL.matcher(t).find()).isEmpty();
    }

    private static void collectHelp(CommandLine cl, List<String> out) {
        StringWriter w = new StringWriter();
        cl.usage(new PrintWriter(w));
        out.add(cl.getCommandName() + ":\n" + w);
        cl.getSubcommands().values().forEach(sub -> collectHelp(sub, out));
    }

    @Test
    void sourcesReadmesAndDocsNameNoInternalDocument() throws IOException {
        List<String> hits = new ArrayList<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(ROOT)) {
            for (Path f : all.filter(Files::isRegularFile).filter(OwnDocsOnlyTest::checked).toList()) {
                files++;
                List<String> lines;
                try {
                    lines = Files.readAllLines(f);
                } catch (MalformedInputException binary) {
                    continue;
                }
                for (int i = 0; i < lines.size(); i++) {
                    if (INTERNAL.matcher(lines.get(i)).find()) {
                        hits.add(ROOT.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertThat(files).as("files checked under " + ROOT).isGreaterThan(300);
        assertThat(hits).as("refer to docs/contract.md (or the right docs/*.md) instead").isEmpty();
    }

    private static boolean checked(Path f) {
        Path rel = ROOT.relativize(f);
        for (Path part : rel) {
            if (SKIPPED_DIRS.contains(part.toString())) {
                return false;
            }
        }
        String name = f.getFileName().toString();
        return !f.equals(SELF) && !RELEASED.contains(rel.toString().replace('\\', '/')) && !name.endsWith(".jar") && !name.endsWith(".png")
                && !name.endsWith(".gz");
    }
}
