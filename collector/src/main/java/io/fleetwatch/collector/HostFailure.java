package io.fleetwatch.collector;

/** Why a host gave no sample this round, in words an operator can act on. */
public final class HostFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind { UNKNOWN_HOST_KEY, HOST_KEY_CHANGED, AUTHENTICATION, UNREACHABLE, TIMEOUT, COMMAND, SKIPPED }

    private final Kind kind;

    public HostFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    /** Turns jsch's and the socket layer's errors into one of the kinds, with the fix where there is one. */
    static HostFailure from(HostTarget t, SshSettings s, Exception e) {
        String m = String.valueOf(e.getMessage());
        // jsch says "reject HostKey" (StrictHostKeyChecking=yes) or "UnknownHostKey" for a host known_hosts lacks
        if (m.startsWith("UnknownHostKey") || m.startsWith("reject HostKey")) {
            return new HostFailure(Kind.UNKNOWN_HOST_KEY, t.knownHostsName() + " is not in " + s.knownHosts()
                    + ": refusing to connect. Check its fingerprint and add it (ssh-keyscan -p " + t.port() + " "
                    + t.host() + " >> " + s.knownHosts() + "), or set FLEETWATCH_SSH_TOFU=true", e);
        }
        if (m.startsWith("HostKey has been changed")) {
            return new HostFailure(Kind.HOST_KEY_CHANGED, "the host key of " + t.knownHostsName()
                    + " has CHANGED since it was recorded in " + s.knownHosts() + ": refusing to connect (possible"
                    + " man-in-the-middle). If the host was reinstalled: ssh-keygen -R '" + t.knownHostsName()
                    + "' -f " + s.knownHosts(), e);
        }
        if (m.contains("Auth fail") || m.contains("Auth cancel")) {
            return new HostFailure(Kind.AUTHENTICATION, t + ": authentication failed (key not authorised for "
                    + t.user() + "?)", e);
        }
        if (m.contains("timeout") || m.contains("timed out")) {
            return new HostFailure(Kind.TIMEOUT, t + ": no SSH answer within " + s.connectTimeout().toSeconds() + " s",
                    e);
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new HostFailure(Kind.UNREACHABLE, t + ": " + (root.getMessage() != null ? root.getMessage() : root), e);
    }
}
