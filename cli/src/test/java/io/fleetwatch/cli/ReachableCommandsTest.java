package io.fleetwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Main gives picocli only the commands a command line can reach, and the command line behaves as with all of them. */
class ReachableCommandsTest {

    @Test
    void theCommandNamedAloneNoneForVersionAllWhereTheTreeIsRead() {
        assertThat(Main.commandsFor(new String[] {"--version"})).isEmpty();
        assertThat(Main.commandsFor(new String[] {"agent", "--once"})).containsExactly(AgentCommand.class);
        assertThat(Main.commandsFor(new String[] {"-c", "scan", "--debug", "db", "migrate"})).containsExactly(DbCommand.class);
        assertThat(Main.commandsFor(new String[] {"--config", "agent", "scan", "-n", "127.0.0.1"}))
                .containsExactly(ScanCommand.class);
        assertThat(Main.commandsFor(new String[] {"backup", "--to", "x"})).containsExactly(BackupCommand.Backup.class);
        for (String[] all : new String[][] {{}, {"--help"}, {"-V", "-h"}, {"help", "agent"}, {"completion"}, {"agnt"},
                {"--debug"}, {"@args.txt"}, {"--", "agent"}}) {
            assertThat(Main.commandsFor(all)).as(String.join(" ", all)).isEqualTo(Main.COMMANDS);
        }
        assertThat(Main.commandsFor(null)).isEqualTo(Main.COMMANDS);
    }

    @Test
    void sameAnswersAsWithEveryCommand() {
        for (String[] args : new String[][] {{"--version"}, {"agent", "--help"}, {"db", "--help"}, {"agnt"}, {"--help"},
                {"scan", "--bogus"}}) {
            assertThat(run(Main.commandLine(Map.of(), args), args)).as(String.join(" ", args))
                    .isEqualTo(run(Main.commandLine(Map.of()), args));
        }
    }

    private static String run(CommandLine cl, String[] args) {
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        int code = cl.execute(args);
        return code + "\n" + out;
    }
}
