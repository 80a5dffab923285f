package io.fleetwatch.agent.collect;

import java.io.IOException;
import io.fleetwatch.procfs.Utmp;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code logged_in_users}: the USER_PROCESS records of utmp, the sessions {@code who} lists. Reads the glibc x86-64 /
 * aarch64 layout (384-byte records, little-endian). No utmp file (a container) means nobody is logged in.
 */
public final class UsersCollector implements Collector {
    private final Path utmp;

    public UsersCollector(Path utmp) {
        this.utmp = utmp;
    }

    @Override
    public String name() {
        return "users";
    }

    @Override
    public void collect(Reading r) throws IOException {
        try {
            r.loggedInUsers = Utmp.sessions(Files.readAllBytes(utmp));
        } catch (NoSuchFileException e) {
            r.loggedInUsers = 0;
        }
    }
}
