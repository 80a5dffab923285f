package io.fleetwatch.reliability;

import io.fleetwatch.transport.Publisher;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.ConfirmingPublisher;
import io.fleetwatch.messages.Routing;
import io.fleetwatch.testing.Await;
import io.fleetwatch.testing.Fleet;
import io.fleetwatch.testing.TestBroker;
import io.fleetwatch.testing.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6: 12,000 malformed or hostile messages (among them values beyond each bound of the message contract)
 * mixed with 3,000 valid ones (a fifth at a bound or with placeholder identities) and 250 redeliveries, published to a
 * running consumer process. The consumer stays up; on each queue sent = stored + dead-lettered + deduplicated; every
 * dead letter has an escaped reason; nothing invalid reaches the tables; placeholder identities merge no hosts.
 */
class FuzzIT {
    static final int INVALID = 12_000;
    static final int VALID_METRICS = 2_500;
    static final int VALID_DISCOVERY = 500;

    @Test
    void theConsumerSurvivesHostileInputAndSortsItExactly() throws Exception {
        try (TestBroker tb = TestBroker.create(); TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Traffic.pipeline(tb, db);
            List<Hostile.Message> mix = new Hostile(20261122L).mix(INVALID, VALID_METRICS, VALID_DISCOVERY);
            Map<String, Integer> kinds = new TreeMap<>();
            // per queue: sent, dead-lettered (invalid) and deduplicated (redeliveries), known by construction
            Map<String, long[]> expected = new TreeMap<>();
            for (Hostile.Message m : mix) {
                kinds.merge(m.kind(), 1, Integer::sum);
                long[] e = expected.computeIfAbsent(m.routingKey(), k -> new long[3]);
                e[0]++;
                if (!m.valid()) {
                    e[1]++;
                } else if (m.kind().equals(Hostile.DUPLICATE)) {
                    e[2]++;
                }
            }
            long[] metricsSent = expected.get(Routing.METRICS_ROUTING_KEY);
            long[] discoverySent = expected.get(Routing.DISCOVERY_ROUTING_KEY);
            long invalidMetrics = metricsSent[1];
            long invalidDiscovery = discoverySent[1];
            long storedMetrics = metricsSent[0] - metricsSent[1] - metricsSent[2];
            long invalid = invalidMetrics + invalidDiscovery;
            try (Fleet fleet = new Fleet(env)) {
                Process consumer = fleet.start("consumer-fuzz", Map.of(), "consume");
                try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("fuzzer");
                     ConfirmingPublisher pub = new ConfirmingPublisher(c, "fuzzer", Duration.ofSeconds(60),
                             Clock.systemUTC())) {
                    List<Publisher.Outgoing> batch = new ArrayList<>();
                    for (Hostile.Message m : mix) {
                        batch.add(Publisher.Outgoing.of(m.routingKey(), m.body()));
                        if (batch.size() == 500) {
                            pub.publishAll(batch);
                            batch.clear();
                        }
                    }
                    pub.publishAll(batch);
                }
                Await.equal(Duration.ofSeconds(180), "everything sorted (metrics stored, both DLQs, both queues)",
                        List.of(storedMetrics, (Long) invalidMetrics, (Long) invalidDiscovery, 0L, 0L),
                        () -> List.of(Traffic.count(db, "SELECT count(*) FROM metrics"),
                                Traffic.depth(env, "metrics_queue.dlq"), Traffic.depth(env, "discovery_queue.dlq"),
                                Traffic.depth(env, "metrics_queue"), Traffic.depth(env, "discovery_queue")));
                assertThat(consumer.isAlive()).as("the consumer stayed up").isTrue();
                assertThat(Fleet.stop(consumer, 30)).isZero();
            }
            // every dead letter carries its reason
            Map<String, Long> reasons = new ConcurrentHashMap<>();
            AtomicLong withoutReason = new AtomicLong();
            AtomicLong rawControl = new AtomicLong();
            AtomicLong seen = new AtomicLong();
            try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("dlq-reader");
                 Channel ch = c.createChannel()) {
                ch.basicQos(1000);
                for (String q : List.of("metrics_queue.dlq", "discovery_queue.dlq")) {
                    ch.basicConsume(q, true, new DefaultConsumer(ch) {
                        @Override
                        public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties p, byte[] body) {
                            seen.incrementAndGet();
                            Object reason = p.getHeaders() == null ? null : p.getHeaders().get(Routing.ERROR_HEADER);
                            if (reason == null || reason.toString().isBlank()) {
                                withoutReason.incrementAndGet();
                            } else {
                                if (reason.toString().chars().anyMatch(Character::isISOControl)) {
                                    rawControl.incrementAndGet();
                                }
                                reasons.merge(reason.toString().replaceAll("[0-9'\"].*", "").strip(), 1L, Long::sum);
                            }
                        }
                    });
                }
                Await.until(Duration.ofSeconds(60), "dead letters read", () -> seen.get() == invalid);
            }
            assertThat(withoutReason.get()).as("dead letters without a reason").isZero();
            assertThat(rawControl.get()).as("reasons with a raw control character").isZero();

            // sent = stored + dead-lettered + deduplicated, per queue
            long stored = Traffic.count(db, "SELECT count(*) FROM metrics");
            assertThat(metricsSent[0]).isEqualTo(stored + invalidMetrics + metricsSent[2]);
            long discovered = Traffic.count(db, "SELECT count(*) FROM systems WHERE vendor LIKE 'x''); DROP%'");
            assertThat(discoverySent[0]).as("placeholder MACs merged no hosts")
                    .isEqualTo(discovered + invalidDiscovery + discoverySent[2]);
            assertThat(Traffic.count(db, "SELECT count(*) FROM systems WHERE mac_address IN"
                    + " ('00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff') OR host(ip_address) = '127.0.0.1'"))
                    .as("placeholders are no identity").isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM metrics WHERE network_sent_mbps > "
                    + io.fleetwatch.messages.Bounds.MBPS_MAX + " OR collected_at < now() - interval '"
                    + io.fleetwatch.messages.Bounds.MAX_AGE.toDays() + " days'")).as("nothing beyond a bound").isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM metrics WHERE cpu_percent = 'NaN'::float8"
                    + " OR cpu_percent NOT BETWEEN 0 AND 100 OR collected_at > now() + interval '10 minutes'"))
                    .as("nothing invalid in the table").isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM systems WHERE host_id LIKE '%DROP%'"
                    + " OR hostname LIKE '%DROP%'")).isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM systems WHERE vendor LIKE 'x''); DROP TABLE metrics; --%'"))
                    .as("SQL in a free-text field stored verbatim").isEqualTo(VALID_DISCOVERY);
            Traffic.figures(String.format("fuzzer: sent %d (metrics %d, discovery %d; %d invalid of %d kinds), stored %d"
                    + " metrics + %d discovered systems, deduplicated %d, in DLQ %d (all with an escaped reason),"
                    + " sent = stored + dead-lettered + deduplicated on both queues, invalid in tables 0",
                    mix.size(), metricsSent[0], discoverySent[0], invalid,
                    mix.stream().filter(m -> !m.valid()).map(Hostile.Message::kind).distinct().count(), stored,
                    discovered, metricsSent[2], seen.get()));
            System.out.println("FIGURES fuzzer kinds: " + kinds);
            System.out.println("FIGURES fuzzer reasons (top): " + reasons);
        }
    }
}
