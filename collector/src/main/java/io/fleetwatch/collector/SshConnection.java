package io.fleetwatch.collector;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** One host's SSH session, kept open across rounds and reopened when it broke. Not thread-safe: one round at a time. */
final class SshConnection implements AutoCloseable {
    private final JSch jsch;
    private final HostTarget target;
    private final SshSettings settings;
    private Session session;

    SshConnection(JSch jsch, HostTarget target, SshSettings settings) {
        this.jsch = jsch;
        this.target = target;
        this.settings = settings;
    }

    boolean connected() {
        return session != null && session.isConnected();
    }

    void connect() throws HostFailure {
        if (connected()) {
            return;
        }
        try {
            Session s = jsch.getSession(target.user(), target.host(), target.port());
            s.setConfig("StrictHostKeyChecking", "yes"); // always: TOFU is done by the repository, not by skipping
            s.setConfig("PreferredAuthentications", settings.password() != null ? "publickey,password" : "publickey");
            if (settings.password() != null) {
                s.setPassword(settings.password());
            }
            s.setServerAliveInterval((int) settings.commandTimeout().toMillis());
            s.setTimeout((int) settings.commandTimeout().toMillis());
            s.connect((int) settings.connectTimeout().toMillis());
            session = s;
        } catch (JSchException e) {
            throw HostFailure.from(target, settings, e);
        }
    }

    /** Runs the command; its stdout, or a failure (non-zero exit, timeout, broken session). */
    String run(String command) throws HostFailure {
        connect();
        ChannelExec ch = null;
        try {
            ch = (ChannelExec) session.openChannel("exec");
            ch.setCommand(command);
            ch.setInputStream(null);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ch.setErrStream(err);
            InputStream in = ch.getInputStream();
            ch.connect((int) settings.commandTimeout().toMillis());
            ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
            long deadline = System.nanoTime() + settings.commandTimeout().toNanos();
            byte[] buf = new byte[8192];
            while (true) {
                while (in.available() > 0) {
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                }
                if (ch.isClosed() && in.available() == 0) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    disconnect();
                    throw new HostFailure(HostFailure.Kind.TIMEOUT, target + ": the command did not finish within "
                            + settings.commandTimeout().toSeconds() + " s", null);
                }
                Thread.sleep(5);
            }
            if (ch.getExitStatus() != 0) {
                throw new HostFailure(HostFailure.Kind.COMMAND, target + ": command exited " + ch.getExitStatus() + ": "
                        + err.toString(StandardCharsets.UTF_8).strip(), null);
            }
            return out.toString(StandardCharsets.UTF_8);
        } catch (JSchException | IOException e) {
            disconnect();
            throw HostFailure.from(target, settings, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            disconnect();
            throw new HostFailure(HostFailure.Kind.TIMEOUT, target + ": interrupted", e);
        } finally {
            if (ch != null) {
                ch.disconnect();
            }
        }
    }

    void disconnect() {
        if (session != null) {
            session.disconnect();
            session = null;
        }
    }

    @Override
    public void close() {
        disconnect();
    }
}
