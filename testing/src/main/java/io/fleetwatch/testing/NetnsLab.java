package io.fleetwatch.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private test network made of Linux network namespaces: a bridge in its own namespace, a scanner namespace and
 * host namespaces attached to it by veth pairs, all in 198.18.0.0/24 (RFC 2544's benchmarking range). No namespace has
 * a route beyond that /24, so nothing sent inside can leave the lab. Needs root; removed again by {@link #close()}.
 */
public final class NetnsLab implements AutoCloseable {
    public static final String SCANNER_IP = "198.18.0.1";

    private final String prefix;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> background = new ArrayList<>();
    private final List<java.nio.file.Path> files = new ArrayList<>();
    private final Map<String, String> hostMacs = new LinkedHashMap<>();

    private NetnsLab(String prefix) {
        this.prefix = prefix;
    }

    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && new File("/usr/sbin/ip").canExecute()
                || new File("/sbin/ip").canExecute() && "root".equals(System.getProperty("user.name"));
    }

    /** Creates the bridge, the scanner namespace and one namespace per host address (last octets). */
    public static NetnsLab create(int... hostOctets) throws IOException, InterruptedException {
        NetnsLab lab = new NetnsLab("fw" + (ProcessHandle.current().pid() % 100000) + "-");
        try {
            lab.build(hostOctets);
        } catch (IOException | InterruptedException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void build(int[] hostOctets) throws IOException, InterruptedException {
        String lan = ns("lan");
        ip("netns", "add", lan);
        inNs(lan, "ip", "link", "add", "br0", "type", "bridge");
        inNs(lan, "ip", "link", "set", "br0", "up");
        attach(ns("scan"), SCANNER_IP, "02:f0:00:00:00:01", "s");
        int n = 0;
        for (int octet : hostOctets) {
            String mac = String.format("02:f0:00:00:01:%02x", octet);
            attach(ns("h" + octet), "198.18.0." + octet, mac, "h" + octet);
            hostMacs.put("198.18.0." + octet, mac.toUpperCase(java.util.Locale.ROOT));
            n++;
        }
    }

    private void attach(String name, String address, String mac, String tag) throws IOException, InterruptedException {
        String lan = ns("lan");
        ip("netns", "add", name);
        ip("link", "add", "v" + prefix + tag, "type", "veth", "peer", "name", "p" + prefix + tag);
        ip("link", "set", "v" + prefix + tag, "netns", name);
        ip("link", "set", "p" + prefix + tag, "netns", lan);
        inNs(name, "ip", "link", "set", "v" + prefix + tag, "name", "eth0");
        inNs(name, "ip", "link", "set", "eth0", "address", mac);
        inNs(name, "ip", "addr", "add", address + "/24", "dev", "eth0");
        inNs(name, "ip", "link", "set", "eth0", "up");
        inNs(name, "ip", "link", "set", "lo", "up");
        inNs(lan, "ip", "link", "set", "p" + prefix + tag, "master", "br0");
        inNs(lan, "ip", "link", "set", "p" + prefix + tag, "up");
    }

    private String ns(String suffix) {
        String name = prefix + suffix;
        if (!namespaces.contains(name)) {
            namespaces.add(name);
        }
        return name;
    }

    public String scannerNamespace() {
        return prefix + "scan";
    }

    public String hostNamespace(int octet) {
        return prefix + "h" + octet;
    }

    /** Gives a host another MAC (e.g. one with a registered vendor prefix). */
    public void setMac(int octet, String mac) throws IOException, InterruptedException {
        String ns = hostNamespace(octet);
        inNs(ns, "ip", "link", "set", "eth0", "down");
        inNs(ns, "ip", "link", "set", "eth0", "address", mac);
        inNs(ns, "ip", "link", "set", "eth0", "up");
        hostMacs.put("198.18.0." + octet, mac.toUpperCase(java.util.Locale.ROOT));
    }

    /** Live host address → its MAC (upper case). */
    public Map<String, String> hosts() {
        return Map.copyOf(hostMacs);
    }

    /** Runs a command inside a namespace of the lab. */
    public Exec inNs(String namespace, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(cmd));
        return run(full, true);
    }

    /** Starts a long-running command inside a namespace (a listener, a relay); it is killed by {@link #close()}. */
    public Process background(String namespace, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(List.of(cmd));
        Process p = new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        background.add(p);
        return p;
    }

    /** Host {@code octet} drops every ICMP packet it receives (found only by ARP or TCP). */
    public void dropIcmp(int octet) throws IOException, InterruptedException {
        nft(hostNamespace(octet), "table ip lab {\n chain in {\n  type filter hook input priority 0;\n"
                + "  ip protocol icmp drop\n }\n}\n");
    }

    /** Host {@code octet} drops all IPv4 input: it still answers ARP, nothing else. */
    public void dropAllInput(int octet) throws IOException, InterruptedException {
        nft(hostNamespace(octet), "table ip lab {\n chain in {\n  type filter hook input priority 0; policy drop;\n"
                + " }\n}\n");
    }

    /**
     * Host {@code octet} answers ARP for every address of {@code cidr} (proxy ARP), none of which exists: the route
     * proxy ARP needs goes out of a veth pair with nothing behind it.
     */
    public void proxyArp(int octet, String cidr) throws IOException, InterruptedException {
        String ns = hostNamespace(octet);
        inNs(ns, "ip", "link", "add", "px0", "type", "veth", "peer", "name", "px1");
        inNs(ns, "ip", "link", "set", "px0", "up");
        inNs(ns, "ip", "link", "set", "px1", "up");
        inNs(ns, "ip", "route", "add", cidr, "dev", "px0");
        inNs(ns, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        inNs(ns, "sysctl", "-q", "-w", "net.ipv4.conf.eth0.proxy_arp=1");
        inNs(ns, "sysctl", "-q", "-w", "net.ipv4.neigh.eth0.proxy_delay=0");
    }

    /** Loads an nftables ruleset into a namespace (e.g. one that drops ICMP, or all IPv4 input). */
    public void nft(String namespace, String ruleset) throws IOException, InterruptedException {
        java.nio.file.Path f = Files.createTempFile("fw-nft", ".nft");
        try {
            Files.writeString(f, ruleset);
            inNs(namespace, "nft", "-f", f.toString());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /**
     * Names for reverse lookups made inside the scanner namespace: {@code ip netns exec} mounts
     * /etc/netns/NAME/hosts over /etc/hosts; resolv.conf points at the namespace's own loopback, so no query leaves.
     */
    public void hostNames(Map<String, String> ipToName) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", scannerNamespace());
        Files.createDirectories(dir);
        StringBuilder hosts = new StringBuilder("127.0.0.1 localhost\n");
        ipToName.forEach((ip, name) -> hosts.append(ip).append(' ').append(name).append('\n'));
        files.add(dir.resolve("hosts"));
        files.add(dir.resolve("resolv.conf"));
        files.add(dir);
        Files.writeString(dir.resolve("hosts"), hosts.toString());
        Files.writeString(dir.resolve("resolv.conf"), "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n");
    }

    /**
     * Makes a TCP port of this machine's loopback (RabbitMQ, PostgreSQL) reachable on the scanner namespace's own
     * loopback, through a Unix socket and two socat relays. The namespace still has no route anywhere: only its
     * 127.0.0.1:port leads out, and only to that one local service.
     */
    public void relayLoopbackPort(int port) throws IOException, InterruptedException {
        String sock = "/tmp/" + prefix + port + ".sock";
        files.add(java.nio.file.Path.of(sock));
        Process host = new ProcessBuilder("socat", "UNIX-LISTEN:" + sock + ",fork,unlink-early",
                "TCP:127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        background.add(host);
        background(scannerNamespace(), "socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr",
                "UNIX-CONNECT:" + sock);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(java.nio.file.Path.of(sock))
                || !inNs(scannerNamespace(), "ss", "-Hltn", "sport = :" + port).output().contains("127.0.0.1")) {
            if (System.nanoTime() > deadline) {
                throw new IOException("relay for port " + port + " did not come up");
            }
            Thread.sleep(50);
        }
    }

    /** The result of a command. */
    public record Exec(int code, String output) {}

    private static Exec ip(String... args) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip"));
        full.addAll(List.of(args));
        return run(full, true);
    }

    public static Exec run(List<String> cmd, boolean mustSucceed) throws IOException, InterruptedException {
        File out = File.createTempFile("netns", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        String output = Files.readString(out.toPath());
        Files.deleteIfExists(out.toPath());
        if (mustSucceed && p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + output.strip());
        }
        return new Exec(p.exitValue(), output);
    }

    @Override
    public void close() {
        for (Process p : background) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (int i = files.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(files.get(i));
            } catch (IOException ignored) {
                // best effort
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run(List.of("ip", "netns", "del", namespaces.get(i)), false);
            } catch (IOException | InterruptedException ignored) {
                // best effort; a leftover namespace is visible in `ip netns list`
            }
        }
    }
}
