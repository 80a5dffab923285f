package io.fleetwatch.sql;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * How far a replica's replay is behind the primary, from the primary's WAL positions seen over time: the replica is
 * as old as the newest position it has replayed. Not {@code now() - pg_last_xact_replay_timestamp()}, which grows
 * without bound on an idle primary (no commits to replay) although the replica is current.
 */
final class ReplayLag {
    private record Seen(Instant at, long lsn) {}

    private final Deque<Seen> seen = new ArrayDeque<>();
    private final Duration keep;

    /** Remembers positions for {@code keep}: enough to tell a lag beyond the bound from one within it. */
    ReplayLag(Duration keep) {
        this.keep = keep;
    }

    synchronized void primaryAt(Instant at, long lsn) {
        seen.addLast(new Seen(at, lsn));
        while (seen.size() > 1 && seen.peekFirst().at().isBefore(at.minus(keep))) {
            seen.removeFirst();
        }
    }

    /**
     * Zero when the replica has replayed the primary's latest position seen; else how long ago the primary was at
     * the newest position the replica has reached (an upper bound, to within the interval between looks); null when
     * the replica is behind every position remembered (see {@link #span}).
     */
    synchronized Duration lag(Instant now, long replayLsn) {
        Iterator<Seen> newestFirst = seen.descendingIterator();
        boolean latest = true;
        while (newestFirst.hasNext()) {
            Seen s = newestFirst.next();
            if (Long.compareUnsigned(replayLsn, s.lsn()) >= 0) {
                return latest ? Duration.ZERO : Duration.between(s.at(), now);
            }
            latest = false;
        }
        return null;
    }

    /** How far back the positions remembered go: a replica behind all of them is at least this far behind. */
    synchronized Duration span(Instant now) {
        return seen.isEmpty() ? Duration.ZERO : Duration.between(seen.peekFirst().at(), now);
    }

    /** A WAL position as PostgreSQL prints it ({@code 16/B374D848}), as a number of bytes. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a WAL position: " + text);
        }
        return Long.parseUnsignedLong(text.substring(0, slash), 16) << 32 | Long.parseUnsignedLong(text.substring(slash + 1), 16);
    }
}
