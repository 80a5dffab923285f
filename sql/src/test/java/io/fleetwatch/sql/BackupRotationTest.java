package io.fleetwatch.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupRotationTest {
    @TempDir
    Path folder;

    private Path backup(String name, boolean complete) throws Exception {
        Path d = Files.createDirectories(folder.resolve(name).resolve("files"));
        Files.writeString(d.getParent().resolve("database.dump"), "x");
        if (complete) {
            Files.writeString(d.getParent().resolve("manifest.json"), "{}");
        }
        return d.getParent();
    }

    @Test
    void namesByUtcTimeAndKeepsTheNewestCompleteOnes() throws Exception {
        BackupRotation r = new BackupRotation(folder, "manifest.json");
        assertThat(r.next(Clock.fixed(Instant.parse("2026-12-06T03:15:00Z"), ZoneOffset.UTC)).getFileName())
                .hasToString("fleetwatch-20261206T031500Z");
        Path a = backup("fleetwatch-20261201T031500Z", true);
        Path b = backup("fleetwatch-20261202T031500Z", true);
        Path unfinished = backup("fleetwatch-20261203T031500Z", false);
        Path c = backup("fleetwatch-20261204T031500Z", true);
        Path mine = backup("my-own-copy", true);

        assertThat(r.prune(2)).containsExactly(a);
        assertThat(a).doesNotExist();
        assertThat(b).exists();
        assertThat(c).exists();
        assertThat(unfinished).as("no manifest: not a backup to count or remove").exists();
        assertThat(mine).as("not named by the timer").exists();
        assertThat(r.prune(2)).isEmpty();
        assertThatThrownBy(() -> r.prune(0)).hasMessageContaining("--keep");
    }
}
