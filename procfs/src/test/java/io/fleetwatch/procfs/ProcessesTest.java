package io.fleetwatch.procfs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code ls /proc} captured on the development VM: 111 numeric entries among the kernel's files. */
class ProcessesTest {
    @Test
    void theNumericEntries() {
        assertThat(Processes.count(Fixtures.read("processes/proc-ls"))).isEqualTo(111);
        assertThat(Processes.count(new String[] {"1", "self", "thread-self", "42", "sys", "4194304", ""}))
                .isEqualTo(3);
    }
}
