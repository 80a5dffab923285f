package io.fleetwatch.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/services waits for another apt instead of failing on "Could not get lock /var/lib/dpkg/lock-frontend". The
 * test holds a lock file of its own with flock(1) and points scripts/apt-lock-wait at it (FLEETWATCH_APT_LOCKS): the
 * machine's real dpkg lock is never touched.
 */
class AptLockTest {
    private static final Path SCRIPTS = Path.of("../scripts");

    @Test
    void waitsWhileTheLockIsHeldSaysSoAndGoesOnWhenItIsReleased(@TempDir Path dir) throws Exception {
        Path lock = Files.createFile(dir.resolve("lock-frontend"));
        Process holder = hold(lock);
        try {
            long t0 = System.nanoTime();
            Process wait = aptLockWait(lock, 60);
            try (BufferedReader said = reader(wait.getErrorStream())) {
                assertThat(said.readLine()).startsWith("services: another apt holds " + lock + " (process ")
                        .endsWith("; waiting for it (up to 60 s)");
                assertThat(wait.waitFor(2, TimeUnit.SECONDS)).as("still waiting while the lock is held").isFalse();
                holder.getOutputStream().close();
                assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(wait.waitFor(10, TimeUnit.SECONDS)).as("goes on once the lock is free").isTrue();
                assertThat(wait.exitValue()).isZero();
                assertThat(said.readLine()).startsWith("services: apt's lock is free after ").endsWith("; going on");
                assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.SECONDS.toNanos(2));
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void givesUpAfterTheTimeoutNamingTheLock(@TempDir Path dir) throws Exception {
        Path lock = Files.createFile(dir.resolve("lock"));
        Process holder = hold(lock);
        try {
            Process wait = aptLockWait(lock, 1);
            assertThat(wait.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(wait.exitValue()).isEqualTo(1);
            assertThat(new String(wait.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                    .contains("apt's lock " + lock + " (process ").contains("still held after 1 s");
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void noLockHeldNoWaitNoWord(@TempDir Path dir) throws Exception {
        Process wait = aptLockWait(Files.createFile(dir.resolve("lock")), 60);
        assertThat(wait.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(wait.exitValue()).isZero();
        assertThat(wait.getErrorStream().readAllBytes()).isEmpty();
    }

    /** Every apt-get in the scripts waits for the lock: first through apt-lock-wait, then by apt's own timeout. */
    @Test
    void everyAptGetOfTheScriptsWaitsForTheLock() throws IOException {
        List<Path> scripts;
        try (Stream<Path> s = Files.list(SCRIPTS)) {
            scripts = s.filter(Files::isRegularFile).toList();
        }
        int calls = 0;
        for (Path script : scripts) {
            List<String> lines = Files.readAllLines(script);
            for (int i = 0; i < lines.size(); i++) {
                String code = lines.get(i).strip();
                if (code.startsWith("#") || !code.matches(".*\\bapt-get\\s.*")) {
                    continue;
                }
                calls++;
                assertThat(code).as(script + ":" + (i + 1)).contains("-o DPkg::Lock::Timeout=");
                assertThat(String.join("\n", lines.subList(Math.max(0, i - 3), i + 1))).as(script + ":" + (i + 1))
                        .contains("apt-lock-wait");
            }
        }
        assertThat(calls).as("apt-get calls found in " + scripts).isGreaterThanOrEqualTo(3);
    }

    /** Holds the lock until the returned process's stdin is closed (-o: flock itself holds it, not `read`). */
    private static Process hold(Path lock) throws IOException {
        Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "-c", "echo held; read _").start();
        assertThat(reader(holder.getInputStream()).readLine()).isEqualTo("held");
        return holder;
    }

    private static Process aptLockWait(Path lock, int timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(SCRIPTS.resolve("apt-lock-wait").toString());
        pb.environment().put("FLEETWATCH_APT_LOCKS", lock.toString());
        pb.environment().put("FLEETWATCH_APT_LOCK_TIMEOUT", Integer.toString(timeoutSeconds));
        return pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static BufferedReader reader(java.io.InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
