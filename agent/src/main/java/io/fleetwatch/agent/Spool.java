package io.fleetwatch.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The agent's outbox on disk: one file per sample, named by its sequence number, written with write-then-rename and
 * fsync so a crash leaves either the whole sample or none. Samples leave only when the broker has confirmed them, oldest
 * first, so replay keeps their order and survives restarts. Bounded by total size and by age: past either bound the
 * oldest samples are dropped, and the drop is counted in a file beside them (never silent).
 */
public final class Spool {
    /** One spooled sample: its sequence number and the exact bytes to publish. */
    public record Entry(long seq, byte[] body) {}

    private final Path dir;
    private final long maxBytes;
    private final Duration maxAge;
    private final Clock clock;
    private final TreeMap<Long, Long> sizes = new TreeMap<>(); // seq -> bytes, in order
    private long bytes;
    private long dropped;

    public Spool(Path dir, long maxBytes, Duration maxAge, Clock clock) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.maxAge = maxAge;
        this.clock = clock;
        try {
            Files.createDirectories(dir);
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    String name = p.getFileName().toString();
                    if (name.endsWith(".json")) {
                        long size = Files.size(p);
                        sizes.put(Long.parseLong(name.substring(0, name.length() - 5)), size);
                        bytes += size;
                    } else if (name.endsWith(".tmp")) {
                        Files.deleteIfExists(p); // a write the crash interrupted: the sample was never acknowledged
                    }
                }
            }
            Path counter = dir.resolve("dropped");
            dropped = Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use spool directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Adds a sample; then enforces the bounds. Returns how many old samples this dropped. */
    public synchronized int add(long seq, byte[] body) {
        Path tmp = dir.resolve(name(seq) + ".tmp");
        Path file = dir.resolve(name(seq) + ".json");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(body));
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to spool " + dir, e);
        }
        try {
            Files.setLastModifiedTime(tmp, FileTime.from(clock.instant()));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to spool " + dir, e);
        }
        Long old = sizes.put(seq, (long) body.length);
        bytes += body.length - (old == null ? 0 : old);
        return enforceBounds();
    }

    private int enforceBounds() {
        int n = 0;
        while (!sizes.isEmpty() && (bytes > maxBytes || tooOld(sizes.firstKey()))) {
            removeOne(sizes.firstKey());
            n++;
        }
        if (n > 0) {
            dropped += n;
            try {
                Files.writeString(dir.resolve("dropped"), Long.toString(dropped), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot record spool drops in " + dir, e);
            }
        }
        return n;
    }

    private boolean tooOld(long seq) {
        try {
            FileTime t = Files.getLastModifiedTime(dir.resolve(name(seq) + ".json"));
            return t.toInstant().isBefore(clock.instant().minus(maxAge));
        } catch (IOException e) {
            return false;
        }
    }

    /** The oldest samples, at most {@code max}, in sequence order. */
    public synchronized List<Entry> oldest(int max) {
        List<Entry> out = new ArrayList<>();
        for (Long seq : sizes.keySet()) {
            if (out.size() >= max) {
                break;
            }
            try {
                out.add(new Entry(seq, Files.readAllBytes(dir.resolve(name(seq) + ".json"))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read spool " + dir, e);
            }
        }
        return out;
    }

    /** Forgets samples the broker confirmed. */
    public synchronized void remove(List<Entry> confirmed) {
        for (Entry e : confirmed) {
            removeOne(e.seq());
        }
    }

    private void removeOne(long seq) {
        Long size = sizes.remove(seq);
        if (size != null) {
            bytes -= size;
        }
        try {
            Files.deleteIfExists(dir.resolve(name(seq) + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete from spool " + dir, e);
        }
    }

    public synchronized int depth() {
        return sizes.size();
    }

    public synchronized long bytes() {
        return bytes;
    }

    /** Samples dropped by the bounds since the spool was created (persisted across restarts). */
    public synchronized long dropped() {
        return dropped;
    }

    private static String name(long seq) {
        return String.format("%020d", seq);
    }
}
