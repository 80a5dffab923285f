package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fleetwatch.scanner.Cidr;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The contract's command forms are aliases of Fleetwatch's ({@code scan CIDR N --queue-enabled}, {@code QUEUE_ENABLED},
 * {@code collect --all --queue-enabled --queue-host HOST}): how they parse and what they map to; {@code QUEUE_ENABLED=false}
 * is refused in one line before anything is opened. No service is needed (ScanCommandIT runs the alias for real).
 */
class ScanAliasesTest {
    private static final String REFUSED = "fleetwatch: QUEUE_ENABLED=false (writing straight to the database, without"
            + " RabbitMQ) is not supported yet: unset QUEUE_ENABLED or set it to true" + System.lineSeparator();

    private static ScanCommand.Request scan(String... args) {
        ScanCommand c = new ScanCommand();
        new CommandLine(c).parseArgs(args);
        return c.request();
    }

    @Test
    void theLastBareNumberIsTheDepartment() {
        assertThat(scan("198.18.0.0/24", "1", "--queue-enabled"))
                .isEqualTo(new ScanCommand.Request(List.of(Cidr.parse("198.18.0.0/24")), 1));
        assertThat(scan("198.18.0.0/24", "198.18.1.0/28", "7")).isEqualTo(new ScanCommand.Request(
                List.of(Cidr.parse("198.18.0.0/24"), Cidr.parse("198.18.1.0/28")), 7));
        assertThat(scan("198.18.0.0/24", "7", "--dept", "7").dept()).isEqualTo(7);
        assertThat(scan("198.18.0.0/24").dept()).as("default department").isEqualTo(1);
        assertThat(scan("198.18.0.5").targets()).as("one address alone is a range, not a department")
                .containsExactly(Cidr.parse("198.18.0.5/32"));
        assertThatThrownBy(() -> scan("198.18.0.0/24", "7", "--dept", "2"))
                .hasMessage("scan: department 7 (after the ranges) and --dept 2 disagree");
        assertThatThrownBy(() -> scan("198.18.0.0/24", "1", "--queue-enabled", "--json"))
                .hasMessage("scan: --queue-enabled publishes, --json prints instead: choose one");
    }

    @Test
    void collectTakesTheQueueHostAsQueueHost() {
        CollectCommand c = new CollectCommand();
        new CommandLine(c).parseArgs("--all", "--queue-enabled", "--queue-host", "mq.example.org");
        assertThat(c.all).isTrue();
        assertThat(c.queueEnabled).isTrue();
        assertThat(c.queueHost).isEqualTo("mq.example.org");
    }

    @Test
    void queueEnabledFalseIsRefusedInOneLineNamingTheVariable() {
        for (List<String> args : List.of(List.of("scan", "198.18.0.0/24", "1", "--queue-enabled"),
                List.of("collect", "--all", "--queue-enabled", "--queue-host", "mq.example.org"))) {
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine(Map.of("QUEUE_ENABLED", "false"));
            cl.setErr(new PrintWriter(err, true));
            cl.setOut(new PrintWriter(new StringWriter(), true));
            assertThat(cl.execute(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString()).as(args.toString()).isEqualTo(REFUSED);
        }
    }
}
