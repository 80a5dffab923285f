package io.fleetwatch.api;

import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.ssl.CertificateProvider;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Sinks;

/**
 * The API's HTTPS certificate from its PEM files (the chain; the key in PKCS#8, or PKCS#1 for RSA), served to
 * Micronaut's TLS setup as the key store named {@value #NAME}, and replaced without a restart: on {@link #reload()}
 * (SIGHUP) and when the files' contents change (checked every {@code recheck}). A pair that does not load, or whose key
 * does not match the certificate (a renewal caught half-written), is refused with a log line and the certificate in
 * service stays. Micronaut's own file provider watches the files too but offers no way to reload on demand.
 */
@Singleton
@Named(PemCertificate.NAME)
@Requires(property = PemCertificate.CERT_FILE)
public final class PemCertificate implements CertificateProvider {
    public static final String NAME = "fleetwatch-api";
    static final String CERT_FILE = "fleetwatch.api.tls.cert-file";
    static final String KEY_FILE = "fleetwatch.api.tls.key-file";
    static final String RECHECK = "fleetwatch.api.tls.recheck";
    private static final Logger LOG = LoggerFactory.getLogger(PemCertificate.class);
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final Path certFile;
    private final Path keyFile;
    private final Sinks.Many<KeyStore> keyStores = Sinks.many().replay().latest();
    private final ScheduledExecutorService watcher;
    private String served; // digest of the pair in service

    public PemCertificate(@Property(name = CERT_FILE) String certFile, @Property(name = KEY_FILE) String keyFile,
                          @Property(name = RECHECK) Duration recheck) throws IOException, GeneralSecurityException {
        this.certFile = Path.of(certFile);
        this.keyFile = Path.of(keyFile);
        byte[][] pair = read();
        keyStores.tryEmitNext(keyStore(pair[0], pair[1])); // a bad pair at start fails the start
        served = digest(pair);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleetwatch-api-certificate");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, recheck.toMillis(), recheck.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public Publisher<KeyStore> getKeyStore() {
        return keyStores.asFlux();
    }

    @Override
    public String getName() {
        return NAME;
    }

    /**
     * Reads the files again and serves them when they differ from the pair in service (SIGHUP). True when a new
     * certificate is in service now; false when unchanged or refused (the log says why).
     */
    public synchronized boolean reload() {
        try {
            byte[][] pair = read();
            String d = digest(pair);
            if (d.equals(served)) {
                LOG.info("HTTPS certificate: {} unchanged", certFile);
                return false;
            }
            keyStores.tryEmitNext(keyStore(pair[0], pair[1]));
            served = d;
            LOG.info("HTTPS certificate: {} reloaded", certFile);
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.error("HTTPS certificate: {} and {} not reloaded, the certificate in service stays: {}", certFile,
                    keyFile, e.getMessage());
            return false;
        }
    }

    private synchronized void reloadIfChanged() {
        try {
            if (!digest(read()).equals(served)) {
                reload();
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("HTTPS certificate files not readable now: {}", e.getMessage()); // mid-renewal; next check
        }
    }

    @PreDestroy
    public void close() {
        watcher.shutdownNow();
    }

    private byte[][] read() throws IOException {
        return new byte[][] {Files.readAllBytes(certFile), Files.readAllBytes(keyFile)};
    }

    private static String digest(byte[][] pair) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(pair[0]);
            md.update((byte) 0);
            md.update(pair[1]);
            return HexFormat.of().formatHex(md.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key store of the chain and its key, the key checked against the first certificate. */
    static KeyStore keyStore(byte[] certPem, byte[] keyPem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(certPem));
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the certificate file");
        }
        List<Certificate> chain = new ArrayList<>(certs);
        PrivateKey key = privateKey(new String(keyPem, StandardCharsets.US_ASCII));
        matches(key, chain.get(0));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", key, null, chain.toArray(new Certificate[0]));
        return ks;
    }

    private static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> {
                    return pkcs8(der);
                }
                case "RSA PRIVATE KEY" -> {
                    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(rsaPkcs1ToPkcs8(der)));
                }
                case "ENCRYPTED PRIVATE KEY", "EC PRIVATE KEY" -> throw new GeneralSecurityException("the key is "
                        + m.group(1) + "; give it unencrypted in PKCS#8 (openssl pkcs8 -topk8 -nocrypt)");
                default -> {
                    // e.g. EC PARAMETERS before the key: not the key
                }
            }
        }
        throw new GeneralSecurityException("no private key (PEM) in the key file");
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key: " + last.getMessage(), last);
    }

    /** PKCS#1 RSAPrivateKey wrapped as PKCS#8 PrivateKeyInfo (version 0, rsaEncryption, NULL). */
    private static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
                0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = der(0x04, pkcs1);
        byte[] body = concat(version, algorithm, octets);
        return der(0x30, body);
    }

    private static byte[] der(int tag, byte[] content) {
        byte[] len;
        if (content.length < 0x80) {
            len = new byte[] {(byte) content.length};
        } else {
            byte[] n = BigInteger.valueOf(content.length).toByteArray();
            int skip = n[0] == 0 ? 1 : 0;
            len = new byte[n.length - skip + 1];
            len[0] = (byte) (0x80 | (n.length - skip));
            System.arraycopy(n, skip, len, 1, n.length - skip);
        }
        return concat(new byte[] {(byte) tag}, len, content);
    }

    private static byte[] concat(byte[]... parts) {
        byte[] out = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The key signs what the certificate's public key verifies, or the pair is refused. */
    private static void matches(PrivateKey key, Certificate cert) throws GeneralSecurityException {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "fleetwatch".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(cert.getPublicKey());
        v.update(probe);
        if (!v.verify(sig)) {
            throw new GeneralSecurityException("the key does not belong to the certificate");
        }
    }
}
