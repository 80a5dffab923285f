package io.fleetwatch.reliability;

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
 * Scenario 6: 12,000 malformed or hostile messages mixed with 3,000 valid ones, published to a running consumer process.
 * The consumer stays up; every valid message lands; every invalid one is in the dead-letter queue with a reason;
 * nothing invalid reaches the tables.
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
            long invalidMetrics = 0;
            long invalidDiscovery = 0;
            for (Hostile.Message m : mix) {
                kinds.merge(m.kind(), 1, Integer::sum);
                if (!m.valid()) {
                    if (m.routingKey().equals(Routing.METRICS_ROUTING_KEY)) {
                        invalidMetrics++;
                    } else {
                        invalidDiscovery++;
                    }
                }
            }
            try (Fleet fleet = new Fleet(env)) {
                Process consumer = fleet.start("consumer-fuzz", Map.of(), "consume");
                try (Connection c = BrokerSettings.fromEnv(env).connectionFactory().newConnection("fuzzer");
                     ConfirmingPublisher pub = new ConfirmingPublisher(c, "fuzzer", Duration.ofSeconds(60),
                             Clock.systemUTC())) {
                    List<ConfirmingPublisher.Outgoing> batch = new ArrayList<>();
                    for (Hostile.Message m : mix) {
                        batch.add(ConfirmingPublisher.Outgoing.of(m.routingKey(), m.body()));
                        if (batch.size() == 500) {
                            pub.publishAll(batch);
                            batch.clear();
                        }
                    }
                    pub.publishAll(batch);
                }
                Await.equal(Duration.ofSeconds(180), "everything sorted (metrics stored, both DLQs, both queues)",
                        List.of((long) VALID_METRICS, (Long) invalidMetrics, (Long) invalidDiscovery, 0L, 0L),
                        () -> List.of(Traffic.count(db, "SELECT count(*) FROM metrics"),
                                Traffic.depth(env, "metrics_queue.dlq"), Traffic.depth(env, "discovery_queue.dlq"),
                                Traffic.depth(env, "metrics_queue"), Traffic.depth(env, "discovery_queue")));
                assertThat(consumer.isAlive()).as("the consumer stayed up").isTrue();
                assertThat(Fleet.stop(consumer, 30)).isZero();
            }
            // every dead letter carries its reason
            Map<String, Long> reasons = new ConcurrentHashMap<>();
            AtomicLong withoutReason = new AtomicLong();
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
                                reasons.merge(reason.toString().replaceAll("[0-9'\"].*", "").strip(), 1L, Long::sum);
                            }
                        }
                    });
                }
                Await.until(Duration.ofSeconds(60), "dead letters read", () -> seen.get() == INVALID);
            }
            assertThat(withoutReason.get()).as("dead letters without a reason").isZero();

            assertThat(Traffic.count(db, "SELECT count(*) FROM metrics")).isEqualTo(VALID_METRICS);
            assertThat(Traffic.count(db, "SELECT count(*) FROM metrics WHERE cpu_percent = 'NaN'::float8"
                    + " OR cpu_percent NOT BETWEEN 0 AND 100 OR collected_at > now() + interval '10 minutes'"))
                    .as("nothing invalid in the table").isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM systems WHERE host_id LIKE '%DROP%'"
                    + " OR hostname LIKE '%DROP%'")).isZero();
            assertThat(Traffic.count(db, "SELECT count(*) FROM systems WHERE vendor LIKE 'x''); DROP TABLE metrics; --%'"))
                    .as("SQL in a free-text field stored verbatim").isEqualTo(VALID_DISCOVERY);
            Traffic.figures(String.format("fuzzer: sent %d (%d valid metrics, %d valid discovery, %d invalid of %d kinds),"
                    + " stored %d metrics + %d systems, in DLQ %d (all with a reason), lost 0, invalid in tables 0",
                    mix.size(), VALID_METRICS, VALID_DISCOVERY, INVALID, kinds.size() - 2,
                    Traffic.count(db, "SELECT count(*) FROM metrics"), Traffic.count(db, "SELECT count(*) FROM systems"),
                    seen.get()));
            System.out.println("FIGURES fuzzer kinds: " + kinds);
            System.out.println("FIGURES fuzzer reasons (top): " + reasons);
        }
    }
}
