package io.fleetwatch.transport;

import io.fleetwatch.broker.Topology;
import io.fleetwatch.messages.MessageCodec;
import io.fleetwatch.messages.Reasons;
import io.fleetwatch.messages.Routing;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The work queues as Redis Streams: one stream per queue ({@code prefix + queue}) read by the consumer group
 * {@value #GROUP}, its dead letters in the stream {@code prefix + queue + ".dlq"} with the reason. Publishing is an
 * XADD per message (confirmed once Redis answered: in its memory, on disk only as its {@code appendfsync} says); a
 * stream at its bound refuses new messages (the RabbitMQ queues' {@code reject-publish}), rather than MAXLEN
 * trimming, which would drop samples no one has read. Consumers XREADGROUP with BLOCK, XACK and XDEL a handled
 * batch, and first XAUTOCLAIM the entries a dead consumer left pending longer than the visibility timeout.
 */
public final class RedisTransport implements Transport {
    public static final String GROUP = "fleetwatch";

    private final JedisPooled redis;
    private final String prefix;
    private final Routing.QueueNames queues;
    private final Topology.Limits limits;
    private final PostgresTransport.Timing timing;
    private final String description;

    /** {@code prefix}: put before every stream name (several installations, or tests, on one Redis). */
    public RedisTransport(URI uri, String prefix, Routing.QueueNames queues, Topology.Limits limits,
                          PostgresTransport.Timing timing) {
        this.redis = new JedisPooled(uri);
        this.prefix = prefix;
        this.queues = queues;
        this.limits = limits;
        this.timing = timing;
        this.description = "redis " + uri.getHost() + ":" + uri.getPort() + (prefix.isEmpty() ? "" : " prefix " + prefix);
    }

    @Override
    public TransportKind kind() {
        return TransportKind.REDIS;
    }

    /*
     * Scripts, so that each runs as one step: a depth read between an ack's XACK and its XDEL counted the batch as
     * waiting again (the entry no longer pending, not yet deleted).
     */
    /** XACK and XDEL of the ids (ARGV[2..]) of the group ARGV[1]. */
    private static final String ACK = "local ids = {unpack(ARGV, 2)}\n"
            + "redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))\n"
            + "return redis.call('XDEL', KEYS[1], unpack(ids))";
    /** The entry ARGV[2] with the fields ARGV[3..] added to the dead letters KEYS[2], then acked and deleted. */
    private static final String DEAD_LETTER = "redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))\n"
            + "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
            + "return redis.call('XDEL', KEYS[1], ARGV[2])";
    /** Entries in the stream not pending in the group ARGV[1]: waiting. */
    private static final String DEPTH = "local n = redis.call('XLEN', KEYS[1])\n"
            + "if n == 0 then return 0 end\n"
            + "return n - redis.call('XPENDING', KEYS[1], ARGV[1])[1]";

    String stream(String queue) {
        return prefix + queue;
    }

    @Override
    public void declare() throws IOException {
        for (String q : queues.all()) {
            try {
                redis.xgroupCreate(stream(q), GROUP, new StreamEntryID(), true);
            } catch (JedisDataException e) {
                if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                    throw io(e);
                }
            } catch (JedisException e) {
                throw io(e);
            }
        }
    }

    private long bound(String queue) {
        if (queue.equals(queues.metrics())) {
            return limits.metricsMaxLength();
        }
        return queue.equals(queues.alerts()) ? limits.alertMaxLength() : limits.discoveryMaxLength();
    }

    @Override
    public Publisher publisher(String appId, Duration confirmTimeout, Clock clock) {
        return new Publisher() {
            @Override
            public void publishAll(List<Outgoing> batch) throws NotConfirmedException {
                try {
                    for (Outgoing o : batch) {
                        String q = Routes.queue(queues, o.routingKey());
                        if (q == null) {
                            throw new NotConfirmedException("routing key '" + o.routingKey() + "' reaches no queue", null);
                        }
                        if (redis.xlen(stream(q)) >= bound(q)) {
                            throw new NotConfirmedException("queue " + q + " is full (" + bound(q) + ")", null);
                        }
                        byte[] body = o.message() instanceof byte[] raw ? raw : MessageCodec.encode(o.message());
                        Map<String, String> fields = new HashMap<>();
                        fields.put("routing_key", o.routingKey());
                        fields.put("body", Base64.getEncoder().encodeToString(body));
                        if (o.messageId() != null) {
                            fields.put("message_id", o.messageId());
                        }
                        redis.xadd(stream(q), StreamEntryID.NEW_ENTRY, fields);
                    }
                } catch (JedisException e) {
                    throw new NotConfirmedException("redis did not take the batch: " + e.getMessage(), e);
                }
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {
                // the pool belongs to the transport
            }
        };
    }

    @Override
    public QueueConsumer consumer(String queue, String name, int prefetch) {
        String consumerName = name + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new PollingConsumer() {
            @Override
            public void start() {
                // the group exists since declare()
            }

            @Override
            public List<Delivery> take(int max, Duration maxWait) throws IOException, InterruptedException {
                if (paused || stopped) {
                    Thread.sleep(maxWait.toMillis());
                    return List.of();
                }
                try {
                    List<StreamEntry> got = redis.xautoclaim(stream(queue), GROUP, consumerName,
                            timing.visibilityTimeout().toMillis(), new StreamEntryID(),
                            XAutoClaimParams.xAutoClaimParams().count(max)).getValue();
                    if (got.isEmpty()) {
                        var read = redis.xreadGroup(GROUP, consumerName, XReadGroupParams.xReadGroupParams()
                                        .count(max).block((int) Math.max(1, maxWait.toMillis())),
                                Map.of(stream(queue), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
                        got = read == null || read.isEmpty() ? List.of() : read.get(0).getValue();
                    }
                    List<Delivery> out = new ArrayList<>(got.size());
                    for (StreamEntry e : got) {
                        Map<String, String> f = e.getFields();
                        out.add(new Delivery(Base64.getDecoder().decode(f.getOrDefault("body", "")),
                                f.get("routing_key"), e.getID()));
                    }
                    return out;
                } catch (JedisException e) {
                    throw io(e);
                }
            }

            @Override
            public void ack(List<Delivery> batch) throws IOException {
                if (batch.isEmpty()) {
                    return;
                }
                List<String> args = new ArrayList<>(batch.size() + 1);
                args.add(GROUP);
                batch.forEach(d -> args.add(d.handle().toString()));
                try {
                    redis.eval(ACK, List.of(stream(queue)), args);
                } catch (JedisException e) {
                    throw io(e);
                }
            }

            @Override
            public void deadLetter(Delivery d, String reason) throws IOException {
                StreamEntryID id = (StreamEntryID) d.handle();
                Map<String, String> fields = new HashMap<>();
                fields.put("source_queue", queue);
                fields.put("routing_key", String.valueOf(d.routingKey()));
                fields.put("reason", Reasons.of(reason));
                fields.put("body", Base64.getEncoder().encodeToString(d.body()));
                List<String> args = new ArrayList<>(List.of(GROUP, id.toString()));
                fields.forEach((k, v) -> {
                    args.add(k);
                    args.add(v);
                });
                try {
                    redis.eval(DEAD_LETTER, List.of(stream(queue), stream(Routing.deadLetterQueue(queue))), args);
                } catch (JedisException e) {
                    throw io(e);
                }
            }

            @Override
            public void close() {
                // what this consumer holds stays pending until another one claims it after the visibility timeout
                stopped = true;
            }
        };
    }

    @Override
    public long depth(String queue) throws IOException {
        try {
            if (queue.endsWith(Routing.DEAD_LETTER_SUFFIX)) {
                return redis.xlen(stream(queue));
            }
            return (Long) redis.eval(DEPTH, List.of(stream(queue)), List.of(GROUP));
        } catch (JedisException e) {
            throw io(e);
        }
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, int limit) throws IOException {
        try {
            List<DeadLetter> out = new ArrayList<>();
            for (StreamEntry e : redis.xrange(stream(Routing.deadLetterQueue(queue)), "-", "+", limit)) {
                Map<String, String> f = e.getFields();
                out.add(new DeadLetter(f.get("source_queue"), f.get("routing_key"), f.get("reason"),
                        Base64.getDecoder().decode(f.getOrDefault("body", ""))));
            }
            return out;
        } catch (JedisException e) {
            throw io(e);
        }
    }

    private static IOException io(JedisException e) {
        return new IOException("redis: " + e.getMessage(), e);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        redis.close();
    }
}
