package io.fleetwatch.consumer;

import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.RabbitConsumer;
import io.fleetwatch.lifecycle.OpsMetrics;
import io.fleetwatch.messages.InvalidMessageException;
import io.fleetwatch.messages.Reasons;
import io.fleetwatch.transport.QueueConsumer;
import io.fleetwatch.transport.QueueConsumer.Delivery;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one queue into one {@link Sink}, in batches, through the transport's {@link QueueConsumer} (RabbitMQ, the
 * postgres queue table, or Redis Streams). Lifecycle: {@link #start()} → batches taken on size or time →
 * {@link #stop()} (finishes and acks the batch in hand).
 *
 * <p>A flush decodes every message; the invalid ones are dead-lettered with the reason. The valid ones are written in
 * one transaction. Only after both is the batch acked as a whole, so a crash at any point leaves the messages in the
 * queue (and the sinks' {@code ON CONFLICT DO NOTHING} makes the redelivery harmless). A retriable failure (database down) is retried
 * with exponential backoff and nothing is acked meanwhile; a data failure splits the batch in halves until the
 * message at fault is found and dead-lettered, so one bad message never blocks the rest.
 */
public final class BatchWorker<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchWorker.class);

    /** Batch size, time bound, prefetch, and retry backoff. */
    public record Settings(int batchSize, Duration maxWait, int prefetch, Duration initialBackoff, Duration maxBackoff) {
        public Settings {
            if (batchSize < 1 || prefetch < batchSize) {
                throw new IllegalArgumentException("need 1 <= batch size <= prefetch, got " + batchSize + "/" + prefetch);
            }
        }

        public static Settings defaults() {
            return new Settings(1000, Duration.ofMillis(100), 3000, Duration.ofMillis(200), Duration.ofSeconds(10));
        }
    }

    /** Counters for status endpoints and tests. */
    public record Stats(long stored, long deadLettered, long batches, long retries) {}

    private final String name;
    private final QueueConsumer source;
    private final String queue;
    private final Decoder<T> decoder;
    private final Sink<T> sink;
    private final Settings settings;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Meters meters;
    /**
     * Retries a batch's write while the database is unavailable ({@link Failures#isRetriable}), without limit and
     * with exponential backoff, until it succeeds or the worker stops; any other failure is not retried.
     */
    private final Retry writeRetry;
    /** Size of the batch being written, for the retry log line (only the worker thread writes it). */
    private int holding;

    private Thread thread;
    private volatile boolean running;

    /** A worker on RabbitMQ: its own channels on {@code connection}, {@code settings.prefetch()} unacked at most. */
    public BatchWorker(String name, Connection connection, String queue, Decoder<T> decoder, Sink<T> sink,
                       Settings settings) {
        this(name, connection, queue, decoder, sink, settings, new OpsMetrics());
    }

    /** As above, counting into {@code metrics} (the consumer's {@code /metrics}; the workers of a queue share series). */
    public BatchWorker(String name, Connection connection, String queue, Decoder<T> decoder, Sink<T> sink,
                       Settings settings, OpsMetrics metrics) {
        this(name, new RabbitConsumer(connection, queue, name, settings.prefetch()), queue, decoder, sink, settings,
                metrics);
    }

    /** A worker on any transport; {@code source} is this worker's own consumer of {@code queue}. */
    public BatchWorker(String name, QueueConsumer source, String queue, Decoder<T> decoder, Sink<T> sink,
                       Settings settings) {
        this(name, source, queue, decoder, sink, settings, new OpsMetrics());
    }

    /** As above, counting into {@code metrics}, whatever the transport. */
    public BatchWorker(String name, QueueConsumer source, String queue, Decoder<T> decoder, Sink<T> sink,
                       Settings settings, OpsMetrics metrics) {
        this.meters = new Meters(metrics);
        meters.zero(queue);
        this.name = name;
        this.source = source;
        this.queue = queue;
        this.decoder = decoder;
        this.sink = sink;
        this.settings = settings;
        IntervalFunction backoff = IntervalFunction.ofExponentialBackoff(settings.initialBackoff(), 2.0, settings.maxBackoff());
        this.writeRetry = Retry.of(name, RetryConfig.custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(attempt -> backoff.apply(Math.min(attempt, 30)))
                .retryOnException(e -> running && Failures.isRetriable(e))
                .build());
        writeRetry.getEventPublisher().onRetry(event -> {
            retries.incrementAndGet();
            meters.retries.labels(queue).increment();
            int attempt = event.getNumberOfRetryAttempts();
            if (attempt == 1 || attempt % 10 == 0) {
                LOG.warn("{}: database unavailable ({}); holding {} message(s) unacked, retry {} in {} ms", name,
                        event.getLastThrowable().getMessage(), holding, attempt, event.getWaitInterval().toMillis());
            }
        });
    }

    /** Paused by maintenance mode (guarded by this). */
    private boolean paused;

    public synchronized void start() throws IOException {
        source.start();
        running = true;
        thread = new Thread(this::run, "fleetwatch-" + name);
        thread.start();
        LOG.info("{}: consuming {} (batch {}, prefetch {})", name, queue, settings.batchSize(), settings.prefetch());
    }

    /**
     * Maintenance mode: cancels the subscription, so new messages wait in the queue; what was already delivered is
     * still stored and acked. Nothing when paused already or stopping.
     */
    public synchronized void pause() throws IOException {
        if (running && !paused) {
            source.pause();
            paused = true;
            LOG.info("{}: paused (maintenance mode); messages wait in {}", name, queue);
        }
    }

    /** Subscribes again after {@link #pause}; nothing when not paused or stopping. */
    public synchronized void resume() throws IOException {
        if (running && paused) { // the maintenance check calls this every few seconds: only a real change is logged
            source.resume();
            paused = false;
            LOG.info("{}: consuming {} again", name, queue);
        }
    }

    private void run() {
        try {
            while (running) {
                List<Delivery> batch = List.of();
                try {
                    batch = source.take(settings.batchSize(), settings.maxWait());
                    if (!batch.isEmpty() && !flush(batch)) {
                        break;
                    }
                } catch (IOException e) {
                    // Transport trouble (a channel lost, the queue table unreachable): what was taken and not acked
                    // comes back (a recovered channel ignores acks of pre-recovery tags; a claim times out). Go on.
                    LOG.warn("{}: transport error while handling a batch of {} ({}); it will be redelivered",
                            name, batch.size(), e.getMessage());
                    Thread.sleep(settings.initialBackoff().toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("{}: worker stopped by an unexpected error; unacked messages return to the queue", name, e);
        }
    }

    /** Returns true when the batch is fully handled and acked; false when stopping with it unacked. */
    private boolean flush(List<Delivery> batch) throws IOException, InterruptedException {
        List<T> valid = new ArrayList<>(batch.size());
        List<Delivery> validDeliveries = new ArrayList<>(batch.size());
        for (Delivery d : batch) {
            try {
                valid.add(decoder.decode(d.body()));
                validDeliveries.add(d);
            } catch (InvalidMessageException e) {
                deadLetter(d, e.getMessage());
            }
        }
        long started = System.nanoTime();
        holding = batch.size();
        try {
            writeRetry.executeCallable(() -> {
                writeSplitting(valid, validDeliveries);
                return null;
            });
        } catch (Exception e) {
            if (!Failures.isRetriable(e)) {
                throw new IllegalStateException(name + ": unexpected failure in the write path", e);
            }
            if (Thread.interrupted()) {
                throw new InterruptedException(name + ": stopped while waiting to retry"); // stop() gave up waiting
            }
            retries.incrementAndGet();
            meters.retries.labels(queue).increment();
            return false; // stopping: the unacked batch goes back to the queue when the consumer closes
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{}: stored {} of {} message(s) in {} ms", name, valid.size(), batch.size(),
                    (System.nanoTime() - started) / 1_000_000);
        }
        source.ack(batch);
        batches.incrementAndGet();
        meters.batches.labels(queue).increment();
        meters.latency.observe((System.nanoTime() - started) / 1e9, queue);
        return true;
    }

    /** Writes all; on a data error, halves until the single message at fault is dead-lettered. */
    private void writeSplitting(List<T> items, List<Delivery> deliveries) throws Exception {
        if (items.isEmpty()) {
            return;
        }
        try {
            sink.write(items);
            stored.addAndGet(items.size());
            meters.stored.labels(queue).add(items.size());
        } catch (Exception e) {
            if (Failures.isRetriable(e)) {
                throw e;
            }
            if (items.size() == 1) {
                deadLetter(deliveries.get(0), rejected(e));
                return;
            }
            int mid = items.size() / 2;
            writeSplitting(items.subList(0, mid), deliveries.subList(0, mid));
            writeSplitting(items.subList(mid, items.size()), deliveries.subList(mid, deliveries.size()));
        }
    }

    private void deadLetter(Delivery d, String reason) throws IOException {
        reason = Reasons.of(reason); // kept and logged: no raw control characters from the message
        source.deadLetter(d, reason);
        deadLettered.incrementAndGet();
        meters.deadLettered.labels(queue, reasonClass(reason)).increment();
        LOG.info("{}: dead-lettered a message from {}: {}", name, queue, reason);
    }

    /**
     * The few kinds of dead-letter reason, as the {@code reason} label of {@code fleetwatch_consumer_dead_lettered_total}
     * (the reason itself is free text from the message and stays in the header and the log).
     */
    static final List<String> REASON_CLASSES = List.of("rejected", "schema_version", "contract", "malformed", "invalid");

    static String reasonClass(String reason) {
        if (reason.startsWith("rejected")) {
            return "rejected";          // the database refused it (a constraint, an unknown reference)
        }
        if (reason.contains("schema_version")) {
            return "schema_version";    // a contract version this consumer does not read
        }
        if (reason.startsWith("contract violation")) {
            return "contract";          // a value out of the contract's bounds
        }
        if (reason.startsWith("not valid JSON") || reason.startsWith("not valid UTF-8") || reason.startsWith("empty")
                || reason.startsWith("message body")) {
            return "malformed";         // not a JSON object at all, or too large
        }
        return "invalid";               // a field missing or of the wrong type, and anything else
    }

    /** Registers the consumer's families in {@code m} (what a worker counts into), as the dashboard check reads them. */
    public static void declare(OpsMetrics m) {
        new Meters(m);
    }

    /** The consumer's series in the shared registry. */
    private static final class Meters {
        final OpsMetrics.Counter batches;
        final OpsMetrics.Counter stored;
        final OpsMetrics.Counter deadLettered;
        final OpsMetrics.Counter retries;
        final OpsMetrics.Histogram latency;

        Meters(OpsMetrics m) {
            batches = m.counter("fleetwatch_consumer_batches_total", "batches stored and acknowledged", "queue");
            stored = m.counter("fleetwatch_consumer_rows_stored_total", "messages written to the database", "queue");
            deadLettered = m.counter("fleetwatch_consumer_dead_lettered_total",
                    "messages sent to the dead-letter queue, by reason class", "queue", "reason");
            retries = m.counter("fleetwatch_consumer_retries_total",
                    "retries of a batch's write while the database was unavailable", "queue");
            latency = m.histogram("fleetwatch_consumer_batch_seconds",
                    "from decoding a batch to its acknowledgement, retries included", OpsMetrics.LATENCY_BUCKETS, "queue");
        }

        /** The queue's series at 0 from the start, so that a rate over them is defined before the first event. */
        void zero(String queue) {
            batches.labels(queue);
            stored.labels(queue);
            retries.labels(queue);
            for (String reason : REASON_CLASSES) {
                deadLettered.labels(queue, reason);
            }
        }
    }

    private static String rejected(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Sink.Rejected r) {
                return "rejected: " + r.getMessage();
            }
        }
        return "rejected by the database: " + oneLine(e);
    }

    private static String oneLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    public Stats stats() {
        return new Stats(stored.get(), deadLettered.get(), batches.get(), retries.get());
    }

    /** Stops taking deliveries, finishes and acks the batch in hand (bounded by {@code timeout}), closes the consumer. */
    public void stop(Duration timeout) {
        try {
            synchronized (this) {
                running = false;
                source.stopTaking(); // no new deliveries; those prefetched but not taken go back
            }
            if (thread != null) {
                thread.join(timeout.toMillis());
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(1_000);
                }
            }
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            source.close();
        }
        LOG.info("{}: stopped ({})", name, stats());
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }

}
