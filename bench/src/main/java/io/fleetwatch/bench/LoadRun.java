package io.fleetwatch.bench;

import io.fleetwatch.transport.Publisher;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.cli.Main;
import io.fleetwatch.messages.MetricsMessage;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.messages.SchemaVersion;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scenario 7 of the fault-and-load issue: a sustained publish rate for several minutes into three {@code fleetwatch
 * consume} processes on this machine's real RabbitMQ and PostgreSQL. Every 10 s it reports the stored rate, the queue
 * depth, the end-to-end age of probe samples (published once a second, timed until their row is visible) and each
 * consumer's resident memory; at the end it checks every message is stored once. Stops by itself.
 */
public final class LoadRun {
    private LoadRun() {}

    public static void main(String[] args) throws Exception {
        int rate = IngestBench.intArg(args, "--rate", 5000);
        int minutes = IngestBench.intArg(args, "--minutes", 5);
        int consumers = IngestBench.intArg(args, "--consumers", 3);
        int hosts = IngestBench.intArg(args, "--hosts", 2000);
        int warmup = IngestBench.intArg(args, "--warmup", 30);
        IngestBench.log("load: %d msg/s from %d hosts for %d min into %d consumer processes", rate, hosts, minutes,
                consumers);
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = new HashMap<>(tb.env());
            env.put("DATABASE_URL", db.jdbcUrl());
            if (Main.run(env, "queue-setup") != 0 || Main.run(env, "db", "migrate") != 0) {
                throw new IllegalStateException("queue-setup or db migrate failed");
            }
            try (Fleet fleet = new Fleet(env, Path.of("bench/target/load-logs"))) {
                List<Process> procs = new ArrayList<>();
                for (int i = 0; i < consumers; i++) {
                    procs.add(fleet.start("consumer-load-" + (i + 1), Map.of(), "consume"));
                }
                run(env, db, procs, rate, hosts, Duration.ofMinutes(minutes), warmup);
                for (Process p : procs) {
                    int code = Fleet.stop(p, 60);
                    if (code != 0) {
                        throw new IllegalStateException("a consumer exited " + code + " on SIGTERM");
                    }
                }
            }
        }
    }

    private static void run(Map<String, String> env, TestDatabase db, List<Process> consumers, int rate, int hosts,
            Duration length, int warmup) throws Exception {
        AtomicLong published = new AtomicLong();
        AtomicBoolean producing = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Instant> probes = new ConcurrentLinkedQueue<>();
        Thread producer = new Thread(() -> produce(env, rate, hosts, length, published, probes, producing), "producer");
        producer.start();

        List<Double> ages = Collections.synchronizedList(new ArrayList<>());
        // steady state: after the warm-up (JIT, first sight of every host creating its systems row)
        List<Double> steadyAges = new ArrayList<>();
        long start = System.nanoTime();
        long lastStored = 0;
        long lastPublished = 0;
        List<String> rows = new ArrayList<>();
        List<Long> firstRss = null;
        List<Long> lastRss = null;
        double minRate = Double.MAX_VALUE;
        double sumRate = 0;
        int windows = 0;
        long maxDepth = 0;
        Instant nextProbe = null;
        while (producing.get() || probes.peek() != null) {
            double windowMaxAge = 0;
            long windowMaxDepth = 0;
            long windowStart = System.nanoTime();
            long windowEnd = windowStart + 10_000_000_000L;
            while (System.nanoTime() < windowEnd && (producing.get() || probes.peek() != null)) {
                // probes: the producer's once-a-second sample of host load-probe; its age is now - publish time
                nextProbe = probes.peek();
                if (nextProbe != null && stored(db, nextProbe)) {
                    probes.poll();
                    double age = (System.currentTimeMillis() - nextProbe.toEpochMilli()) / 1000.0;
                    ages.add(age);
                    if (System.nanoTime() - start > warmup * 1_000_000_000L) {
                        steadyAges.add(age);
                    }
                    windowMaxAge = Math.max(windowMaxAge, age);
                    continue;
                }
                windowMaxDepth = Math.max(windowMaxDepth, depth(env));
                Thread.sleep(100);
            }
            long stored = count(db, "SELECT count(*) FROM metrics");
            long pub = published.get();
            double secs = (System.nanoTime() - windowStart) / 1e9;
            double storedRate = (stored - lastStored) / secs;
            List<Long> rss = new ArrayList<>();
            for (Process p : consumers) {
                rss.add(Fleet.rssKb(p) / 1024);
            }
            if (firstRss == null) {
                firstRss = rss;
            }
            lastRss = rss;
            long t = (System.nanoTime() - start) / 1_000_000_000L;
            rows.add(String.format("| %d s | %,.0f | %,.0f | %,d | %.2f s | %s MB |", t, (pub - lastPublished) / secs,
                    storedRate, windowMaxDepth, windowMaxAge, rss));
            System.err.println("load: " + rows.get(rows.size() - 1));
            boolean steady = windowStart - start >= warmup * 1_000_000_000L;
            if (producing.get() && steady && secs > 9) {
                windows++;
                sumRate += storedRate;
                minRate = Math.min(minRate, storedRate);
                maxDepth = Math.max(maxDepth, windowMaxDepth);
            }
            lastStored = stored;
            lastPublished = pub;
        }
        producer.join();
        long want = published.get();
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (count(db, "SELECT count(*) FROM metrics") < want && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        long stored = count(db, "SELECT count(*) FROM metrics");
        long distinct = count(db, "SELECT count(DISTINCT (system_id, collected_at)) FROM metrics");
        List<Double> sorted = new ArrayList<>(ages);
        Collections.sort(sorted);
        System.out.println();
        System.out.printf("Fleetwatch load run on %s: %d msg/s offered for %d min from %d hosts into %d consumer"
                + " processes%n", IngestBench.engineOf(db.jdbcUrl()), rate, length.toMinutes(), hosts, consumers.size());
        System.out.println();
        System.out.println("| t | published/s | stored/s | queue depth (max) | probe age (max) | consumer RSS |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.printf("- sent %,d, stored %,d, lost %,d, duplicates %,d, in DLQ %,d%n", want, stored, want - stored,
                stored - distinct, dlq(env));
        System.out.printf("- after a %d s warm-up: stored rate mean %,.0f msg/s, lowest 10 s window %,.0f (%.2f of the"
                + " mean), deepest queue %,d%n", warmup,
                sumRate / Math.max(1, windows), minRate, minRate / (sumRate / Math.max(1, windows)), maxDepth);
        System.out.printf("- probe age (publish -> row visible), whole run: p50 %.2f s, p99 %.2f s, max %.2f s over %d"
                + " probes%n", IngestBench.pct(sorted, 0.50), IngestBench.pct(sorted, 0.99), IngestBench.pct(sorted, 1.0),
                sorted.size());
        Collections.sort(steadyAges);
        System.out.printf("- after the warm-up: probe age p50 %.2f s, p99 %.2f s, max %.2f s over %d probes%n",
                IngestBench.pct(steadyAges, 0.50), IngestBench.pct(steadyAges, 0.99), IngestBench.pct(steadyAges, 1.0),
                steadyAges.size());
        System.out.printf("- consumer RSS first window %s MB, last window %s MB (-Xmx256m each)%n", firstRss, lastRss);
    }

    private static void produce(Map<String, String> env, int rate, int hosts, Duration length, AtomicLong published,
            ConcurrentLinkedQueue<Instant> probes, AtomicBoolean producing) {
        try (Connection c = BrokerSettings.fromEnv(env).newConnection("load-producer");
             ConfirmingPublisher pub = new ConfirmingPublisher(c, "load", Duration.ofSeconds(30), Clock.systemUTC())) {
            long start = System.nanoTime();
            long end = start + length.toNanos();
            long sent = 0;
            long lastProbe = 0;
            int host = 0;
            while (System.nanoTime() < end) {
                long due = (System.nanoTime() - start) * rate / 1_000_000_000L; // what the rate asks for by now
                List<Publisher.Outgoing> batch = new ArrayList<>();
                Instant now = Instant.ofEpochMilli(System.currentTimeMillis());
                for (long i = sent; i < due && batch.size() < 2000; i++) {
                    host = (host + 1) % hosts;
                    batch.add(Publisher.Outgoing.of(Routing.METRICS_ROUTING_KEY,
                            sample(String.format("load-%05d", host), now.plusNanos(host % 1000 * 1000L), i)));
                }
                boolean probe = System.nanoTime() - lastProbe >= 1_000_000_000L;
                if (probe) {
                    batch.add(Publisher.Outgoing.of(Routing.METRICS_ROUTING_KEY, sample("load-probe", now, 0)));
                    lastProbe = System.nanoTime();
                }
                if (batch.isEmpty()) {
                    Thread.sleep(5);
                    continue;
                }
                pub.publishAll(batch);
                if (probe) {
                    probes.add(now);
                }
                sent += batch.size() - (probe ? 1 : 0);
                published.addAndGet(batch.size());
            }
        } catch (Exception e) {
            throw new IllegalStateException("producer failed", e);
        } finally {
            producing.set(false);
        }
    }

    private static MetricsMessage sample(String hostId, Instant at, long i) {
        return new MetricsMessage(SchemaVersion.CURRENT, null, hostId, hostId, i + 1, at,
                CatalogValues.fill(new MetricsMessage.Metrics(20.0 + i % 30, 40.0, 50.0, 1.5, 2.5, null, 1000L + i, 1),
                        new java.util.Random(i)));
    }

    private static boolean stored(TestDatabase db, Instant probe) {
        return count(db, "SELECT count(*) FROM metrics m JOIN systems s ON s.id = m.system_id WHERE s.host_id ="
                + " 'load-probe' AND m.collected_at = '" + probe + "'") > 0;
    }

    private static long count(TestDatabase db, String sql) {
        try (var c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static long depth(Map<String, String> env) throws Exception {
        return queueCount(env, "metrics_queue");
    }

    private static long dlq(Map<String, String> env) throws Exception {
        return queueCount(env, "metrics_queue.dlq");
    }

    private static long queueCount(Map<String, String> env, String queue) throws Exception {
        try (Connection c = BrokerSettings.fromEnv(env).newConnection("load-monitor");
             var ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }
}
