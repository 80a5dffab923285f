package io.fleetwatch.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.Ports;
import io.fleetwatch.testing.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A RabbitMQ cluster of three nodes of its own on this machine (127.0.0.1 only, ports and data directories of its
 * own, beside the machine's node), quorum queues declared by {@code queue-setup}, consumer processes writing to a real
 * test database: nodes are stopped and started under load, and nothing may be lost or stored twice. Needs root (the
 * Debian RabbitMQ wrappers switch to the rabbitmq user) and rabbitmq-server; the nodes are stopped whatever happens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ClusterIT {
    static final Path SCRIPT = Path.of("src/test/resources/rabbit-cluster.sh").toAbsolutePath();
    static final int NODES = 3;
    static final int CONSUMERS = 3;
    static final int AGENTS = 2;

    static Path dir;
    static final String PREFIX = "fwit" + ProcessHandle.current().pid() + "n";
    static final int[] amqpPorts = new int[NODES];
    static TestDatabase db;
    static Map<String, String> env;

    @BeforeAll
    static void startCluster() throws Exception {
        assumeTrue(LocalServices.canControl(), "RabbitMQ nodes of its own need root (the wrappers run as rabbitmq)");
        assumeTrue(Files.isExecutable(Path.of("/usr/sbin/rabbitmq-server")), "rabbitmq-server is not installed");
        dir = Files.createTempDirectory("fleetwatch-cluster");
        List<String> args = new ArrayList<>(List.of("start", dir.toString(), PREFIX));
        StringBuilder hosts = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            amqpPorts[i] = Ports.free();
            args.add(amqpPorts[i] + "," + Ports.free());
            hosts.append(i == 0 ? "" : ",").append("127.0.0.1:").append(amqpPorts[i]);
        }
        long t0 = System.nanoTime();
        script(240, args.toArray(String[]::new));
        System.out.printf("FIGURES cluster of %d nodes up and joined in %.1f s%n", NODES, (System.nanoTime() - t0) / 1e9);
        db = TestDatabase.create();
        env = new HashMap<>();
        env.put("QUEUE_HOSTS", hosts.toString());
        env.put("QUEUE_USER", "guest");      // RabbitMQ's default user, accepted from loopback only
        env.put("QUEUE_PASSWORD", "guest");
        env.put("QUEUE_VHOST", "/");
        env.put(Topology.QueueType.ENV, "quorum");
        env.put("DATABASE_URL", db.jdbcUrl());
        assertThat(io.fleetwatch.cli.Main.run(env, "queue-setup")).as("queue-setup").isZero();
        assertThat(io.fleetwatch.cli.Main.run(env, "db", "migrate")).as("db migrate").isZero();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            if (dir != null) {
                script(180, "stop", dir.toString());
                new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor(60, TimeUnit.SECONDS);
            }
        } finally {
            if (db != null) {
                db.close();
            }
        }
    }

    @Test
    @Order(1)
    void queuesAreQuorumQueuesOnEveryNode() throws Exception {
        JsonNode queues = MessageCodec.mapper().readTree(script(60, "list", dir.toString(), PREFIX + "1", "name type members"));
        assertThat(queues).hasSize(8);
        queues.forEach(q -> {
            assertThat(q.get("type").asText()).as(q.get("name").asText()).isEqualTo("quorum");
            assertThat(q.get("members")).as(q.get("name").asText()).hasSize(NODES);
        });
    }

    @Test
    @Order(2)
    void theMetricsLeaderAndThePublishersNodeStopUnderLoadAndNothingIsLostOrStoredTwice() throws Exception {
        long base = Traffic.count(db, "SELECT count(*) FROM metrics");
        Path agentDir = Files.createTempDirectory(Path.of("target"), "cluster-agents");
        List<Fleet.Host> hosts = new ArrayList<>();
        for (int i = 0; i < AGENTS; i++) {
            hosts.add(Fleet.Host.create(agentDir.resolve("h" + i), "cluster-host-" + i));
        }
        try (Fleet fleet = new Fleet(env); Publisher pub = new Publisher("nodeloss", 50, 100)) {
            List<Process> consumers = new ArrayList<>();
            for (int i = 1; i <= CONSUMERS; i++) {
                consumers.add(fleet.start("cluster-consumer-" + i, Map.of(), "consume"));
            }
            List<Process> agents = new ArrayList<>();
            for (int i = 0; i < AGENTS; i++) {
                agents.add(fleet.agent("cluster-agent-" + i, hosts.get(i), "250ms", Map.of()));
            }
            StallWatch stored = new StallWatch(() -> Traffic.count(db, "SELECT count(*) FROM metrics"));
            // generous: consumer JVMs start slowly on a busy 2-core machine
            Await.until(Duration.ofSeconds(150), "samples stored", () -> Traffic.count(db, "SELECT count(*) FROM metrics") > base + 1000);

            String leader = leaderOf(Routing.QueueNames.defaults().metrics());
            Outage first = outage(leader, pub, stored);
            // the publisher's own node (it may have moved in the first outage)
            String own = PREFIX + (indexOfPort(pub.connectedPort()) + 1);
            Outage second = outage(own, pub, stored);

            pub.stopAndDrain();
            // an agent whose node went away spools and sends on its next connection (to a live node): wait for
            // that before stopping it, or what it spooled stays spooled until its next start
            for (int i = 0; i < AGENTS; i++) {
                Path log = Path.of("target/reliability-logs/cluster-agent-" + i + ".log");
                Await.until(Duration.ofSeconds(90), "agent " + i + " caught up", () -> {
                    String l = Files.readString(log);
                    return count(l, "spooling samples") == count(l, "reachable again");
                });
            }
            Map<String, Long> want = new java.util.TreeMap<>();
            long fromAgents = 0;
            for (int i = 0; i < AGENTS; i++) {
                assertThat(agents.get(i).isAlive()).as("agent ran through both outages").isTrue();
                assertThat(Fleet.stop(agents.get(i), 30)).as("agent SIGTERM exit code").isZero();
                want.put(hosts.get(i).hostId(), hosts.get(i).lastSeq());
                fromAgents += hosts.get(i).lastSeq();
            }
            long sent = pub.confirmed.get() + fromAgents;
            Await.equal(Duration.ofSeconds(120), "every confirmed sample stored", base + sent,
                    () -> Traffic.count(db, "SELECT count(*) FROM metrics"));
            stored.close();
            for (Process c : consumers) {
                assertThat(c.isAlive()).as("consumer ran through both outages").isTrue();
                assertThat(Fleet.stop(c, 30)).as("consumer SIGTERM exit code").isZero();
            }
            Map<String, Long> perHost = Traffic.perHost(db);
            perHost.keySet().retainAll(want.keySet());
            assertThat(perHost).as("rows per agent host = the agent's last sequence number").isEqualTo(want);
            long rows = Traffic.count(db, "SELECT count(*) FROM metrics") - base;
            long distinct = Traffic.count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics") - base;
            long dlq = depth(Routing.deadLetterQueue(Routing.QueueNames.defaults().metrics()));
            String line = String.format("3-node RabbitMQ cluster, quorum queues, %d consumer processes, %d agent processes"
                    + " (250 ms interval, %d samples) and a publisher with confirms (%d samples/batch every %d ms): stopped the metrics queue's leader %s for %d s (publishing"
                    + " paused at most %.1f s, storing %.1f s), then the publisher's node %s for %d s (publishing paused"
                    + " %.1f s, storing %.1f s); sent %d (republished after a failover %d), stored %d, lost %d,"
                    + " duplicates %d, in DLQ %d", CONSUMERS, AGENTS, fromAgents, pub.batch, pub.everyMs, first.node, first.seconds,
                    first.publishGap, first.storeGap, second.node, second.seconds, second.publishGap, second.storeGap,
                    sent, pub.republished.get(), distinct, sent - distinct, rows - distinct, dlq);
            Traffic.figures(line);
            assertThat(rows).as("rows stored = samples confirmed (lost or duplicated otherwise)").isEqualTo(sent);
            assertThat(distinct).as("duplicates").isEqualTo(sent);
            assertThat(dlq).isZero();
        }
    }

    @Test
    @Order(3)
    void storedRateWithOneTwoAndThreeConsumerProcesses() throws Exception {
        int n = 20_000;
        List<String> rates = new ArrayList<>();
        // each round counts its own hosts' rows, on a queue that holds nothing else (an earlier failure may leave some)
        try (Connection c = BrokerSettings.fromEnv(env).newConnection("cluster-purge"); var ch = c.createChannel()) {
            ch.queuePurge(Routing.QueueNames.defaults().metrics());
        }
        for (int k = 1; k <= CONSUMERS; k++) {
            String stored = "SELECT count(*) FROM metrics m JOIN systems s ON s.id = m.system_id WHERE s.host_id LIKE 'scale"
                    + k + "-%'";
            try (Publisher pub = new Publisher("scale" + k, 500, 0)) {
                pub.untilConfirmed(n);
            }
            try (Fleet fleet = new Fleet(env)) {
                List<Process> consumers = new ArrayList<>();
                for (int i = 1; i <= k; i++) {
                    consumers.add(fleet.start("cluster-scale-" + k + "-" + i, Map.of(), "consume"));
                }
                // from the moment every consumer consumes to the last row: JVM start-up is left out
                for (int i = 1; i <= k; i++) {
                    Path log = Path.of("target/reliability-logs/cluster-scale-" + k + "-" + i + ".log");
                    Await.until(Duration.ofSeconds(90), "consumer " + i + " of " + k + " consuming",
                            () -> Files.readString(log).contains("consuming " + Routing.QueueNames.defaults().metrics()));
                }
                long t0 = System.nanoTime();
                long c0 = Traffic.count(db, stored);
                Await.equal(Duration.ofSeconds(150), "round stored", (long) n, () -> Traffic.count(db, stored));
                double secs = (System.nanoTime() - t0) / 1e9;
                for (Process c : consumers) {
                    assertThat(Fleet.stop(c, 30)).isZero();
                }
                rates.add(String.format("%d: %.0f rows/s", k, (n - c0) / secs));
            }
        }
        long rows = Traffic.count(db, "SELECT count(*) FROM metrics");
        long distinct = Traffic.count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics");
        Traffic.figures("3-node cluster, quorum queues, " + n + " queued samples drained by 1, 2, 3 consumer processes,"
                + " timed from when all consume (2-core machine shared by the 3 nodes, PostgreSQL and the consumers): "
                + String.join(", ", rates) + "; duplicates " + (rows - distinct));
        assertThat(rows).isEqualTo(distinct);
    }

    // ---------------------------------------------------------------------------------------------------------------

    record Outage(String node, int seconds, double publishGap, double storeGap) {}

    /** Stops a node's RabbitMQ application for a while, starts it again and lets the traffic settle. */
    private static Outage outage(String node, Publisher pub, StallWatch stored) throws Exception {
        int seconds = 10;
        pub.resetGap();
        stored.resetGap();
        try {
            script(120, "stop-node", dir.toString(), node);
            Thread.sleep(seconds * 1000L);
        } finally {
            script(180, "start-node", dir.toString(), node);
        }
        Thread.sleep(5_000);
        Await.until(Duration.ofSeconds(60), "publishing again after " + node,
                () -> System.nanoTime() - pub.lastConfirm.get() < 2_000_000_000L);
        return new Outage(node, seconds, pub.maxGap() / 1e9, stored.maxGap() / 1e9);
    }

    private static int count(String text, String what) {
        return text.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    private static String leaderOf(String queue) throws Exception {
        for (JsonNode q : MessageCodec.mapper().readTree(script(60, "list", dir.toString(), PREFIX + "1", "name leader"))) {
            if (q.get("name").asText().equals(queue)) {
                return q.get("leader").asText().replace("@localhost", "");
            }
        }
        throw new AssertionError("no queue " + queue);
    }

    private static int indexOfPort(int port) {
        for (int i = 0; i < NODES; i++) {
            if (amqpPorts[i] == port) {
                return i;
            }
        }
        throw new AssertionError("connected to port " + port + ", not a node of the test cluster");
    }

    private static long depth(String queue) throws Exception {
        try (Connection c = BrokerSettings.fromEnv(env).newConnection("cluster-depth"); var ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    private static String script(int timeoutSeconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", args) + " failed: " + new String(out).strip());
        }
        return new String(out);
    }

    /** Polls a counter and keeps the longest time it did not grow (reset per outage). */
    static final class StallWatch implements AutoCloseable {
        private final Thread thread;
        private final AtomicLong maxGap = new AtomicLong();
        private volatile boolean running = true;

        StallWatch(java.util.concurrent.Callable<Long> counter) {
            thread = new Thread(() -> {
                long last = -1;
                long since = System.nanoTime();
                while (running) {
                    try {
                        long now = counter.call();
                        long t = System.nanoTime();
                        if (now != last) {
                            last = now;
                            since = t;
                        }
                        maxGap.accumulateAndGet(t - since, Math::max);
                        Thread.sleep(100);
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "stall-watch");
            thread.setDaemon(true);
            thread.start();
        }

        void resetGap() {
            maxGap.set(0);
        }

        long maxGap() {
            return maxGap.get();
        }

        @Override
        public void close() {
            running = false;
        }
    }

    /**
     * Publishes distinct samples with confirms, as the agent does: a batch leaves only once confirmed, and a batch that
     * was not (its node died under it) is sent again on the same, recovering, connection to the cluster.
     */
    final class Publisher implements AutoCloseable {
        final int batch;
        final int everyMs;
        final AtomicLong confirmed = new AtomicLong();
        final AtomicLong republished = new AtomicLong();
        final AtomicLong lastConfirm = new AtomicLong(System.nanoTime());
        private final AtomicLong maxGap = new AtomicLong();
        private final String prefix;
        private final Connection connection;
        private final Thread thread;
        private volatile long limit = Long.MAX_VALUE;
        private volatile boolean running = true;
        private volatile boolean abandoned;
        private volatile Exception failed;

        Publisher(String prefix, int batch, int everyMs) throws Exception {
            this.prefix = prefix;
            this.batch = batch;
            this.everyMs = everyMs;
            this.connection = BrokerSettings.fromEnv(env).newConnection("cluster-publisher");
            thread = new Thread(this::run, "publisher-" + prefix);
            thread.start();
        }

        int connectedPort() {
            return connection.getPort();
        }

        private void run() {
            Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofHours(2));
            ConfirmingPublisher pub = null;
            long next = 0;
            try {
                while (running && next < limit) {
                    List<io.fleetwatch.transport.Publisher.Outgoing> out = new ArrayList<>(batch);
                    for (int i = 0; i < batch; i++) {
                        long s = next + i;   // 100 hosts, one sample each per "10 s" round
                        int h = (int) (s % 100);
                        MetricsMessage m = new MetricsMessage(SchemaVersion.CURRENT, null, String.format("%s-%08d", prefix, h),
                                prefix + "-" + h, s / 100 + 1, start.plusSeconds(10 * (s / 100)).plusMillis(h),
                                new MetricsMessage.Metrics(20.0, 40.0, 50.0, 1.5, 2.5, null, 1000L, 1));
                        out.add(new io.fleetwatch.transport.Publisher.Outgoing(Routing.METRICS_ROUTING_KEY, m, prefix + ":" + s, null));
                    }
                    boolean tried = false;
                    boolean sent = false;
                    while (!sent && !abandoned) {   // stopping still finishes the batch in hand
                        try {
                            if (pub == null || !pub.isOpen()) {
                                pub = new ConfirmingPublisher(connection, "cluster-it", Duration.ofSeconds(30), Clock.systemUTC());
                            }
                            pub.publishAll(out);
                            sent = true;
                        } catch (io.fleetwatch.transport.Publisher.NotConfirmedException | IOException | RuntimeException e) {
                            if (pub != null) {
                                pub.close();
                                pub = null;
                            }
                            if (!tried) {
                                republished.addAndGet(out.size());
                                tried = true;
                            }
                            Thread.sleep(250);   // the connection recovers onto another node meanwhile
                        }
                    }
                    if (!sent) {
                        return;
                    }
                    next += batch;
                    confirmed.addAndGet(batch);
                    long t = System.nanoTime();
                    maxGap.accumulateAndGet(t - lastConfirm.getAndSet(t), Math::max);
                    if (everyMs > 0) {
                        Thread.sleep(everyMs);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                failed = e;
            } finally {
                if (pub != null) {
                    pub.close();
                }
            }
        }

        void resetGap() {
            maxGap.set(0);
        }

        long maxGap() {
            return Math.max(maxGap.get(), System.nanoTime() - lastConfirm.get());
        }

        void untilConfirmed(long n) throws Exception {
            limit = n;
            thread.join(TimeUnit.MINUTES.toMillis(3));
            assertThat(failed).isNull();
            assertThat(confirmed.get()).isEqualTo(n);
        }

        /** Stops after the batch in hand is confirmed. */
        void stopAndDrain() throws Exception {
            running = false;
            thread.join(TimeUnit.MINUTES.toMillis(2));
            assertThat(thread.isAlive()).as("publisher stopped").isFalse();
            assertThat(failed).isNull();
        }

        @Override
        public void close() throws Exception {
            running = false;
            abandoned = true;
            thread.join(TimeUnit.MINUTES.toMillis(1));
            connection.close();
        }
    }
}
