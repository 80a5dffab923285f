package io.fleetwatch.sampling;

import java.io.IOException;

/**
 * Where one metric's raw value comes from on a host: an OSHI abstraction, a /proc file, statvfs, utmp, nvidia-smi.
 * Every implementation of a metric plugs in here, so {@link Sources} can mix them per metric.
 */
public interface Source<T> {
    /** The raw value now; a source of a counter keeps no state, the rate is the {@link Sampler}'s. */
    T read() throws IOException;

    /** What it reads, for the agent's start-up log line and error messages ("/proc/stat", "OSHI GlobalMemory"). */
    String describe();

    /** Reads, in the way the lambda says. */
    interface Reader<T> {
        T read() throws IOException;
    }

    static <T> Source<T> of(String describe, Reader<T> reader) {
        java.util.Objects.requireNonNull(describe, "describe");
        java.util.Objects.requireNonNull(reader, "reader");
        return new Source<>() {
            @Override
            public T read() throws IOException {
                return reader.read();
            }

            @Override
            public String describe() {
                return describe;
            }
        };
    }
}
