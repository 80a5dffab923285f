package io.fleetwatch.cli;

import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.DeadLetters;
import io.fleetwatch.messages.Routing;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code fleetwatch dlq list|show|replay|purge}: the dead-letter queues, for an operator (logic in DeadLetters). */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = {
    "The dead-letter queues: list and show what was refused and why, replay it after a fix, or purge it.",
    "Replay publishes each letter again on its original routing key with publisher confirms and removes it only",
    "then: an interrupted replay loses nothing, and running it again resumes it."},
        subcommands = {DlqCommand.Listing.class, DlqCommand.Show.class, DlqCommand.Replay.class, DlqCommand.Purge.class})
final class DlqCommand {
    private DlqCommand() {
    }

    /** Options every subcommand shares. */
    static class Selection extends EnvAware {
        @Spec
        CommandSpec spec;

        @Option(names = "--queue", paramLabel = "Q", description = "A work queue or its dead-letter queue (default: all three).")
        String queue;

        @Option(names = "--reason", paramLabel = "TEXT", description = "Only letters whose reason contains TEXT (any case).")
        String reason;

        @Option(names = "--limit", paramLabel = "N", description = "At most N letters per queue.")
        Integer limit;

        List<String> queues() {
            return DeadLetters.queues(queue, Routing.QueueNames.fromEnv(env));
        }

        DeadLetters.Filter filter(int defaultLimit) {
            return new DeadLetters.Filter(reason, limit == null ? defaultLimit : limit);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters (100 per queue unless --limit).")
    static final class Listing extends Selection implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            List<DeadLetters.Letter> all = new ArrayList<>();
            try (Connection c = Services.connect(env, "fleetwatch-dlq")) {
                DeadLetters dl = new DeadLetters(c, Duration.ofSeconds(10));
                for (String q : queues()) {
                    all.addAll(dl.list(q, filter(100)));
                }
            }
            out().printf("%-24s %5s  %-20s %8s  %-20s %s%n", "QUEUE", "POS", "DEAD-LETTERED", "REPLAYED", "ROUTING KEY", "REASON");
            for (DeadLetters.Letter l : all) {
                out().printf("%-24s %5d  %-20s %8d  %-20s %s%n", l.deadLetterQueue(), l.position(),
                        l.deadLetteredAt() == null ? "-" : l.deadLetteredAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                        l.replayed(), l.routingKey() == null ? "-" : l.routingKey(), l.reason() == null ? "-" : l.reason());
            }
            out().println(all.size() + " dead letter(s)");
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter: where it came from, why, and its body.")
    static final class Show extends Selection implements Callable<Integer> {
        @Parameters(paramLabel = "POS", description = "Its position, as `dlq list` prints it.")
        int position;

        @Override
        public Integer call() throws Exception {
            if (queue == null) {
                throw new IllegalArgumentException("dlq show needs --queue (positions count within one queue)");
            }
            try (Connection c = Services.connect(env, "fleetwatch-dlq")) {
                List<DeadLetters.Letter> letters = new DeadLetters(c, Duration.ofSeconds(10))
                        .list(queues().get(0), new DeadLetters.Filter(null, Math.max(1, position)));
                if (position < 1 || letters.size() < position) {
                    throw new IllegalArgumentException(queues().get(0) + " has no letter at position " + position);
                }
                DeadLetters.Letter l = letters.get(position - 1);
                out().println("queue:          " + l.deadLetterQueue() + " (position " + l.position() + ")");
                out().println("source queue:   " + l.sourceQueue());
                out().println("reason:         " + l.reason());
                out().println("dead-lettered:  " + l.deadLetteredAt());
                out().println("replay goes to: " + (l.exchange().isEmpty() ? "queue " : l.exchange() + " / ") + l.routingKey());
                out().println("replayed:       " + l.replayed() + " time(s)");
                out().println(l.bodyText());
            }
            return 0;
        }
    }

    @Command(name = "replay", mixinStandardHelpOptions = true, description = "Publish dead letters again on their original routing key.")
    static final class Replay extends Selection implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            int code = 0;
            try (Connection c = Services.connect(env, "fleetwatch-dlq")) {
                DeadLetters dl = new DeadLetters(c, Duration.ofSeconds(10));
                for (String q : queues()) {
                    DeadLetters.Outcome o = dl.replay(q, filter(Integer.MAX_VALUE));
                    out().println("dlq replay: " + q + ": " + o.taken() + " replayed, " + o.left() + " left"
                            + (o.failed() == null ? "" : "; stopped at " + o.failed()));
                    code = o.failed() == null ? code : 1;
                }
            }
            return code;
        }
    }

    @Command(name = "purge", mixinStandardHelpOptions = true, description = "Delete dead letters for good (needs --yes).")
    static final class Purge extends Selection implements Callable<Integer> {
        @Option(names = "--yes", description = "Yes, delete them.")
        boolean yes;

        @Override
        public Integer call() throws Exception {
            if (!yes) {
                throw new IllegalArgumentException("dlq purge deletes messages for good: add --yes (and --queue/--reason to narrow it)");
            }
            try (Connection c = Services.connect(env, "fleetwatch-dlq")) {
                DeadLetters dl = new DeadLetters(c, Duration.ofSeconds(10));
                for (String q : queues()) {
                    DeadLetters.Outcome o = dl.purge(q, filter(Integer.MAX_VALUE));
                    out().println("dlq purge: " + q + ": " + o.taken() + " purged, " + o.left() + " left");
                }
            }
            return 0;
        }
    }
}
