package io.fleetwatch.sql;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Backups kept in one folder, as the daily timer makes them: each in a new directory named by its UTC time
 * ({@code fleetwatch-20261206T031500Z}), the oldest complete ones beyond {@code keep} removed after a new one is made.
 * Only directories with that name and a manifest count: an unfinished backup (no manifest) or anything else in the
 * folder is never touched.
 */
public final class BackupRotation {
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("'fleetwatch-'yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Pattern NAMED = Pattern.compile("fleetwatch-\\d{8}T\\d{6}Z");

    private final Path folder;
    private final String manifest;

    public BackupRotation(Path folder, String manifest) {
        this.folder = folder;
        this.manifest = manifest;
    }

    /** Where the next backup goes (not created). */
    public Path next(Clock clock) {
        return folder.resolve(NAME.format(clock.instant()));
    }

    /** The complete backups here, oldest first (the names sort by time). */
    public List<Path> complete() throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> NAMED.matcher(p.getFileName().toString()).matches())
                    .filter(p -> Files.isRegularFile(p.resolve(manifest)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    /** Removes the oldest complete backups so that {@code keep} remain; returns what it removed. */
    public List<Path> prune(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1, not " + keep);
        }
        List<Path> all = complete();
        List<Path> removed = new ArrayList<>();
        for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
            deleteTree(old);
            removed.add(old);
        }
        return removed;
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
