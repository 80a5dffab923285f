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
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run(List.of("ip", "netns", "del", namespaces.get(i)), false);
            } catch (IOException | InterruptedException ignored) {
                // best effort; a leftover namespace is visible in `ip netns list`
            }
        }
    }
}
