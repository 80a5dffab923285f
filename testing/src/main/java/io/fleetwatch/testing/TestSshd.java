package io.fleetwatch.testing;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server (Debian's openssh-server) on 127.0.0.1 and a free high port, with its own generated host key
 * and the given authorized client keys. Runs as the current user (root in CI: sshd's privilege separation needs it).
 */
public final class TestSshd implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private TestSshd(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Generates a key pair with ssh-keygen; returns the private key file (the public one is beside it, .pub). */
    public static Path keygen(Path dir, String name, String type) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path key = dir.resolve(name);
        List<String> cmd = type.equals("rsa")
                ? List.of("ssh-keygen", "-q", "-t", "rsa", "-b", "3072", "-N", "", "-f", key.toString())
                : List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-f", key.toString());
        exec(cmd);
        return key;
    }

    public static TestSshd start(Path dir, List<Path> authorizedPublicKeys) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = Ports.free();
        TestSshd d = new TestSshd(dir, port);
        if (!Files.exists(dir.resolve("hostkey"))) {
            keygen(dir, "hostkey", "ed25519");
        }
        StringBuilder auth = new StringBuilder();
        for (Path p : authorizedPublicKeys) {
            auth.append(Files.readString(p).strip()).append('\n');
        }
        Files.writeString(dir.resolve("authorized_keys"), auth.toString());
        Files.createDirectories(Path.of("/run/sshd")); // privilege separation directory
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("hostkey"),
                "PidFile " + dir.resolve("sshd.pid"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "MaxStartups 200",
                "LogLevel INFO", ""));
        d.start();
        return d;
    }

    private void start() throws IOException, InterruptedException {
        process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-f", dir.resolve("sshd_config").toString(),
                "-E", log().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("sshd.out").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("sshd did not start on port " + port + ": "
                            + Files.readString(dir.resolve("sshd.out")) + (Files.exists(log()) ? Files.readString(log()) : ""));
                }
                Thread.sleep(50);
            }
        }
    }

    public int port() {
        return port;
    }

    public Path log() {
        return dir.resolve("sshd.log");
    }

    /** This server's line for a known_hosts file. */
    public String knownHostsLine() throws IOException {
        String[] pub = Files.readString(dir.resolve("hostkey.pub")).trim().split("\\s+");
        return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1];
    }

    /** Gives the server a new host key and restarts it on the same port (a reinstalled host, or an impostor). */
    public void rekey() throws IOException, InterruptedException {
        stop();
        Files.deleteIfExists(dir.resolve("hostkey"));
        Files.deleteIfExists(dir.resolve("hostkey.pub"));
        keygen(dir, "hostkey", "ed25519");
        start();
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static void exec(List<String> cmd) throws IOException, InterruptedException {
        File out = File.createTempFile("exec", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + Files.readString(out.toPath()));
        }
    }
}
