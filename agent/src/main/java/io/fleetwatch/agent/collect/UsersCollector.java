package io.fleetwatch.agent.collect;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * {@code logged_in_users}: the USER_PROCESS records of utmp, the sessions {@code who} lists. Reads the glibc x86-64 /
 * aarch64 layout (384-byte records, little-endian). No utmp file (a container) means nobody is logged in.
 */
public final class UsersCollector implements Collector {
    static final int RECORD = 384;
    static final short USER_PROCESS = 7;
    private static final int USER_OFFSET = 44;

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
            r.loggedInUsers = sessions(Files.readAllBytes(utmp));
        } catch (NoSuchFileException e) {
            r.loggedInUsers = 0;
        }
    }

    static int sessions(byte[] utmp) {
        ByteBuffer b = ByteBuffer.wrap(utmp).order(ByteOrder.LITTLE_ENDIAN);
        int n = 0;
        for (int off = 0; off + RECORD <= utmp.length; off += RECORD) {
            if (b.getShort(off) == USER_PROCESS && utmp[off + USER_OFFSET] != 0) {
                n++;
            }
        }
        return n;
    }
}
