package io.fleetwatch.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {
    @TempDir
    Path dir;

    @Test
    void keepsRisingAcrossRestarts() {
        SequenceStore a = new SequenceStore(dir);
        assertThat(a.next()).isEqualTo(1);
        assertThat(a.next()).isEqualTo(2);
        SequenceStore b = new SequenceStore(dir);
        assertThat(b.last()).isEqualTo(2);
        assertThat(b.next()).isEqualTo(3);
    }

    @Test
    void corruptFileIsNamed() throws Exception {
        Files.writeString(dir.resolve("seq"), "garbage");
        assertThatThrownBy(() -> new SequenceStore(dir)).hasMessageContaining("seq is corrupt");
    }
}
