package io.fleetwatch.broker;

import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * AMQPS: the broker's certificate is always verified, against {@code caFile} (PEM) or else the JVM's
 * trust store, and its name checked against the host unless {@code verifyHostname} is off; a client certificate
 * and key (PEM; the key PKCS#8, mode 0600) make it mutual TLS. There is no "trust everything" switch on purpose.
 */
public record BrokerTls(boolean enabled, Path caFile, Path certFile, Path keyFile, boolean verifyHostname) {
    public static final String ENV_TLS = Keys.BROKER_TLS.env();
    public static final String ENV_CA = Keys.BROKER_TLS_CA_FILE.env();
    public static final String ENV_CERT = Keys.BROKER_TLS_CERT_FILE.env();
    public static final String ENV_KEY = Keys.BROKER_TLS_KEY_FILE.env();
    public static final String ENV_VERIFY_HOSTNAME = Keys.BROKER_TLS_VERIFY_HOSTNAME.env();
    public static final BrokerTls OFF = new BrokerTls(false, null, null, null, true);

    public BrokerTls {
        if ((certFile == null) != (keyFile == null)) {
            throw new IllegalArgumentException(ENV_CERT + " and " + ENV_KEY + ": a client certificate needs its key,"
                    + " and a key its certificate; set both or neither");
        }
    }

    /** {@code amqps}: the URI's scheme, when the broker is given as a URI. */
    static BrokerTls from(Settings s, boolean amqps) {
        boolean on = s.get(Keys.BROKER_TLS);
        return new BrokerTls(amqps || on, s.get(Keys.BROKER_TLS_CA_FILE), s.get(Keys.BROKER_TLS_CERT_FILE),
                s.get(Keys.BROKER_TLS_KEY_FILE), s.get(Keys.BROKER_TLS_VERIFY_HOSTNAME));
    }

    /** The TLS context: trust from the CA file (or the JVM's), key material when a client certificate is set. */
    public SSLContext sslContext() {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (caFile != null) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(ENV_CA, caFile)) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null);
            }
            KeyManagerFactory kmf = null;
            if (certFile != null) {
                char[] none = new char[0];
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", privateKey(keyFile), none,
                        certificates(ENV_CERT, certFile).toArray(new Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, none);
            }
            SSLContext ctx = SSLContext.getInstance("TLS"); // TLS 1.2 and 1.3, as the JDK allows
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("QUEUE_TLS: cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(String key, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(key + ": " + file + " holds no certificate");
            }
            return certs;
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e.getMessage() + ")");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(key + ": " + file + " is not a PEM certificate (" + e.getMessage() + ")");
        }
    }

    private static PrivateKey privateKey(Path file) {
        String pem;
        try {
            var perms = Files.getPosixFilePermissions(file);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                throw new IllegalArgumentException(ENV_KEY + ": " + file + " is readable by group or others; chmod 600 it");
            }
            pem = Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(ENV_KEY + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
                || pem.contains("BEGIN ENCRYPTED PRIVATE KEY")) {
            throw new IllegalArgumentException(ENV_KEY + ": " + file + " must be an unencrypted PKCS#8 key"
                    + " (BEGIN PRIVATE KEY); convert it with: openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(ENV_KEY + ": " + file + " holds no PEM private key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(ENV_KEY + ": " + file + " is not an RSA, EC or Ed25519 key");
    }
}
