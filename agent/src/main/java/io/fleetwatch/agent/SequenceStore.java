package io.fleetwatch.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The per-host sample sequence number, persisted so it keeps rising across agent restarts; the consumer dedupes on
 * {@code (host_id, seq)}. Written with write-then-rename so a crash never leaves a torn file.
 */
public final class SequenceStore {
    private final Path file;
    private long last;

    public SequenceStore(Path stateDir) {
        this.file = stateDir.resolve("seq");
        try {
            Files.createDirectories(stateDir);
            last = Files.exists(file) ? Long.parseLong(Files.readString(file).trim()) : 0L;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use agent state directory " + stateDir + ": " + e.getMessage(), e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(file + " is corrupt (not a number); move it away to restart numbering", e);
        }
    }

    public synchronized long next() {
        long n = last + 1;
        Path tmp = file.resolveSibling("seq.tmp");
        try {
            Files.writeString(tmp, Long.toString(n), StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist sequence number to " + file, e);
        }
        last = n;
        return n;
    }

    public synchronized long last() {
        return last;
    }
}
