package io.fleetwatch.procfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The captured files under src/test/resources/fixtures (see the README there). */
public final class Fixtures {
    private Fixtures() {}

    public static final Path DIR = Path.of("src/test/resources/fixtures");

    public static String read(String name) {
        try {
            return Files.readString(DIR.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
