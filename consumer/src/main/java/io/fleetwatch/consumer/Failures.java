package io.fleetwatch.consumer;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.sql.SQLRecoverableException;

/**
 * Retriable or fatal? A retriable failure (database down, connection lost, deadlock) keeps the batch unacked and is
 * tried again with backoff; anything else is about the data, so the batch is split to find the message at fault.
 */
public final class Failures {
    private Failures() {}

    public static boolean isRetriable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientException || c instanceof SQLRecoverableException) {
                return true;
            }
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08 connection exception, 53 insufficient resources, 57P0x shutdown/crash, 40001/40P01 retry-me
                if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")
                        || state.equals("40001") || state.equals("40P01")) {
                    return true;
                }
                // Two consumers creating systems for two new hosts with the same MAC at once (cloned VMs): the
                // loser's insert breaks the unique MAC; run again, it sees the winner's row and leaves the MAC out.
                if (state.equals("23505") && sql instanceof org.postgresql.util.PSQLException p
                        && p.getServerErrorMessage() != null
                        && "systems_mac_uq".equals(p.getServerErrorMessage().getConstraint())) {
                    return true;
                }
            }
            if (c instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }
}
