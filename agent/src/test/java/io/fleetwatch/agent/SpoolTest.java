package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
    @TempDir
    Path dir;

    private static byte[] body(int n) {
        return ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oldestFirstRemovedOnlyWhenConfirmedAndSurvivesReopening() {
        Spool s = new Spool(dir, 1 << 20, Duration.ofDays(1), Clock.systemUTC());
        for (int i = 1; i <= 5; i++) {
            s.add(i, body(i));
        }
        assertThat(s.oldest(3)).extracting(Spool.Entry::seq).containsExactly(1L, 2L, 3L);
        s.remove(s.oldest(2));
        Spool reopened = new Spool(dir, 1 << 20, Duration.ofDays(1), Clock.systemUTC());
        assertThat(reopened.depth()).isEqualTo(3);
        assertThat(reopened.oldest(10)).extracting(Spool.Entry::seq).containsExactly(3L, 4L, 5L);
        assertThat(new String(reopened.oldest(1).get(0).body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":3}");
    }

    @Test
    void sizeBoundDropsTheOldestAndCountsItAcrossRestarts() {
        Spool s = new Spool(dir, 64 * 8, Duration.ofDays(1), Clock.systemUTC()); // room for ~56 bodies of ~8 bytes
        int dropped = 0;
        for (int i = 1; i <= 100; i++) {
            dropped += s.add(i, body(i % 10));
        }
        assertThat(s.bytes()).isLessThanOrEqualTo(64 * 8);
        assertThat(dropped).isEqualTo(100 - s.depth());
        assertThat(s.oldest(1).get(0).seq()).as("newest kept, oldest gone").isEqualTo(100L - s.depth() + 1);
        assertThat(new Spool(dir, 64 * 8, Duration.ofDays(1), Clock.systemUTC()).dropped()).isEqualTo(dropped);
    }

    @Test
    void ageBoundDropsSamplesOlderThanTheMaximum() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        Spool s = new Spool(dir, 1 << 20, Duration.ofHours(1), clock);
        s.add(1, body(1));
        s.add(2, body(2));
        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertThat(s.add(3, body(3))).isEqualTo(2);
        assertThat(s.oldest(10)).extracting(Spool.Entry::seq).containsExactly(3L);
    }

    @Test
    void aWriteInterruptedByACrashIsDiscarded() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("00000000000000000007.tmp"), "{\"half");
        Spool s = new Spool(dir, 1 << 20, Duration.ofDays(1), Clock.systemUTC());
        assertThat(s.depth()).isZero();
        assertThat(Files.exists(dir.resolve("00000000000000000007.tmp"))).isFalse();
    }
}
