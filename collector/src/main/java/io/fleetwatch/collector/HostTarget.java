package io.fleetwatch.collector;

/**
 * A host to collect from. {@code systemId} is set for hosts from the database (the messages then carry it), null for
 * hosts named on the command line or in an inventory file (the messages carry the host's machine-id).
 */
public record HostTarget(String host, int port, String user, Long systemId) {
    public HostTarget {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(host + ": " + port + " is not a TCP port");
        }
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException(host + ": no SSH user");
        }
    }

    /** {@code [user@]host[:port]}, the command line's spelling. */
    public static HostTarget parse(String spec, String defaultUser) {
        String user = defaultUser;
        String rest = spec;
        int at = spec.lastIndexOf('@');
        if (at >= 0) {
            user = spec.substring(0, at);
            rest = spec.substring(at + 1);
        }
        int port = 22;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && rest.indexOf(':') == colon) { // one colon: host:port (IPv6 literals need brackets)
            try {
                port = Integer.parseInt(rest.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(spec + ": '" + rest.substring(colon + 1) + "' is not a port");
            }
            rest = rest.substring(0, colon);
        }
        if (rest.startsWith("[") && rest.endsWith("]")) {
            rest = rest.substring(1, rest.length() - 1);
        }
        return new HostTarget(rest, port, user, null);
    }

    /** How known_hosts names this host: {@code host} on port 22, {@code [host]:port} otherwise. */
    public String knownHostsName() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    @Override
    public String toString() {
        return user + "@" + host + (port == 22 ? "" : ":" + port);
    }
}
