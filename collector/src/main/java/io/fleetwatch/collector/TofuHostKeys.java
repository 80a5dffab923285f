package io.fleetwatch.collector;

import com.jcraft.jsch.HostKey;
import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.UserInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * known_hosts with trust on first use (OpenSSH's {@code StrictHostKeyChecking=accept-new}, which jsch lacks): a host
 * that known_hosts does not list yet has its key recorded and accepted; a host whose key differs from the recorded one
 * is refused, as without trust on first use.
 */
final class TofuHostKeys implements HostKeyRepository {
    private static final Logger LOG = LoggerFactory.getLogger(TofuHostKeys.class);
    private final HostKeyRepository known;

    TofuHostKeys(HostKeyRepository known) {
        this.known = known;
    }

    @Override
    public synchronized int check(String host, byte[] key) {
        int r = known.check(host, key);
        if (r == NOT_INCLUDED) {
            try {
                HostKey hk = new HostKey(host, key);
                known.add(hk, null);
                LOG.warn("trust on first use: recorded the {} key of {} ({})", hk.getType(), host,
                        hk.getFingerPrint(new com.jcraft.jsch.JSch()));
                return OK;
            } catch (JSchException e) {
                return NOT_INCLUDED;
            }
        }
        return r;
    }

    @Override
    public void add(HostKey hostkey, UserInfo ui) {
        known.add(hostkey, ui);
    }

    @Override
    public void remove(String host, String type) {
        known.remove(host, type);
    }

    @Override
    public void remove(String host, String type, byte[] key) {
        known.remove(host, type, key);
    }

    @Override
    public String getKnownHostsRepositoryID() {
        return known.getKnownHostsRepositoryID();
    }

    @Override
    public HostKey[] getHostKey() {
        return known.getHostKey();
    }

    @Override
    public HostKey[] getHostKey(String host, String type) {
        return known.getHostKey(host, type);
    }
}
