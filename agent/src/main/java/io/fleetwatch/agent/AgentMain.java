package io.fleetwatch.agent;

import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.lifecycle.Signals;
import io.fleetwatch.messages.MetricsJson;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * {@code fleetwatch-agent}: the agent's own small launcher (the .deb's), without the server's CLI, web server or
 * database driver. Configuration from the environment (systemd's EnvironmentFile=/etc/fleetwatch/agent.env).
 */
public final class AgentMain {
    private AgentMain() {}

    static final String USAGE = """
            Usage: fleetwatch-agent [--once | --inventory | --version | --help]
              (no option)  sample this host every FLEETWATCH_AGENT_INTERVAL and publish to RabbitMQ until stopped
              --once       print one sample as JSON (measured over one second) and exit; publishes nothing
              --inventory  print this host's hardware and OS inventory as JSON and exit; publishes nothing
            Environment: QUEUE_HOST, QUEUE_PORT, QUEUE_USER, QUEUE_PASSWORD (or QUEUE_URI), QUEUE_HOSTS (a cluster),
            FLEETWATCH_AGENT_INTERVAL, FLEETWATCH_AGENT_STATE_DIR, FLEETWATCH_AGENT_MOUNT,
            FLEETWATCH_AGENT_SPOOL_MAX_MB, FLEETWATCH_AGENT_SPOOL_MAX_AGE, FLEETWATCH_AGENT_INVENTORY_EVERY""";

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    static int run(String[] args, Map<String, String> env) {
        try {
            if (args.length == 1 && args[0].equals("--version")) {
                String v = AgentMain.class.getPackage().getImplementationVersion();
                System.out.println("fleetwatch-agent " + (v == null ? "dev" : v));
                return 0;
            }
            if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
                System.out.println(USAGE);
                return 0;
            }
            AgentSettings settings = AgentSettings.fromEnv(env);
            if (args.length == 1 && args[0].equals("--once")) {
                System.out.println(new String(MetricsJson.encode(ThisHost.once(settings, env)), StandardCharsets.UTF_8));
                return 0;
            }
            if (args.length == 1 && args[0].equals("--inventory")) {
                System.out.println(io.fleetwatch.messages.MessageCodec.encodeToString(ThisHost.inventory()));
                return 0;
            }
            if (args.length > 0) {
                System.err.println("fleetwatch-agent: unknown option '" + args[0] + "' (see --help)");
                return 2;
            }
            Agent agent = ThisHost.agent(settings, BrokerSettings.fromEnv(env), env, Clock.systemUTC());
            agent.start();
            Signals.awaitStop();
            agent.close(); // flushes to the broker, or leaves the rest in the spool
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("fleetwatch-agent: " + e.getMessage());
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            System.err.println("fleetwatch-agent: " + e.getMessage());
            return 1;
        }
    }
}
