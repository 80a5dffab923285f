package io.fleetwatch.procfs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** utmp: the USER_PROCESS records, the sessions {@code who} lists (glibc x86-64/aarch64 layout: 384-byte records). */
public final class Utmp {
    private Utmp() {}

    static final int RECORD = 384;
    static final short USER_PROCESS = 7;
    private static final int USER_OFFSET = 44;

    public static int sessions(byte[] utmp) {
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
