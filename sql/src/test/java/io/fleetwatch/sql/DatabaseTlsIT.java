package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.fleetwatch.testing.DevEnv;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL over TLS with the server's certificate verified (sslmode=verify-full): scripts/services gives the local
 * server a certificate from its own CA. The URL form operators write (libpq, with sslmode and sslrootcert) reaches
 * the JDBC driver; the session is encrypted; another CA is refused; sslmode=disable is not encrypted.
 */
class DatabaseTlsIT {
    static final Path CA = Path.of("/var/lib/postgresql/fleetwatch-tls/ca.crt");

    @TempDir
    Path dir;

    static String url(String params) {
        String jdbc = DevEnv.get("FLEETWATCH_TEST_JDBC_URL", null);
        assumeTrue(jdbc != null, "DATABASE_URL (scripts/services) needed");
        return jdbc + (jdbc.contains("?") ? "&" : "?") + params;
    }

    static boolean ssl(String url) throws Exception {
        try (HikariDataSource ds = Database.pool(DatabaseSettings.fromEnv(Map.of("DATABASE_URL", url)), "tls-it");
             var c = ds.getConnection(); var st = c.createStatement();
             var rs = st.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    @Test
    void verifyFullEncryptsAndChecksTheCertificate() throws Exception {
        assumeTrue(Files.isReadable(CA), "scripts/services creates " + CA);
        String ca = URLEncoder.encode(CA.toString(), StandardCharsets.UTF_8);
        assertThat(ssl(url("sslmode=verify-full&sslrootcert=" + ca))).as("encrypted, certificate and name verified").isTrue();
        assertThat(ssl(url("sslmode=disable"))).isFalse();

        Path other = dir.resolve("other-ca.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                dir.resolve("other.key").toString(), "-out", other.toString(), "-days", "1", "-subj", "/CN=Another CA")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> ssl(url("sslmode=verify-full&sslrootcert="
                + URLEncoder.encode(other.toString(), StandardCharsets.UTF_8))))
                .hasStackTraceContaining("PKIX path");
    }
}
