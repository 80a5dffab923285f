package io.fleetwatch.api;

import io.micronaut.http.HttpRequest;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The address a request comes from, as the failed-token limiter and the audit log see it: the peer's address, or,
 * when the peer is one of the trusted reverse proxies, the right-most address of {@code X-Forwarded-For} that is not
 * itself a trusted proxy (the entries to its left were written by the client and prove nothing).
 */
final class ClientAddress {
    private ClientAddress() {}

    static String of(HttpRequest<?> request, List<String> trustedProxies) {
        String peer = request.getRemoteAddress().getAddress().getHostAddress();
        if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) {
            return peer;
        }
        List<String> forwarded = request.getHeaders().getAll("X-Forwarded-For");
        String[] hops = String.join(",", forwarded).split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].strip();
            if (hop.isEmpty()) {
                continue;
            }
            String address;
            try {
                address = literal("X-Forwarded-For", hop);
            } catch (IllegalArgumentException notAnAddress) {
                return peer;   // a hop we cannot read: the proxy is the last address we know
            }
            if (!trustedProxies.contains(address)) {
                return address;
            }
        }
        return peer;
    }

    /** An IP address literal in its normal form; never a name (no DNS lookup). */
    static String literal(String key, String text) {
        String t = text.strip();
        if (!t.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException(key + ": '" + t + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(t).getHostAddress();   // a literal: parsed, not looked up
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(key + ": '" + t + "' is not an IP address");
        }
    }
}
