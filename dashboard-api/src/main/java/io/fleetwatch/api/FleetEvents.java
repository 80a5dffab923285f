package io.fleetwatch.api;

import io.fleetwatch.store.SystemStore;
import io.micronaut.http.sse.Event;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet table's live updates, pushed to every open event stream. One look at the database every
 * {@link #TICK} while at least one stream is open, none otherwise, whatever the number of streams: the ids of systems
 * written or with an incident received or resolved since the last look (plus {@link #OVERLAP}), then their rows; a
 * row equal to the one last pushed is not pushed again. A stream whose reader falls {@link #MAX_BEHIND} events behind
 * is ended (the page reconnects and reloads).
 */
@Singleton
public final class FleetEvents implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetEvents.class);
    static final Duration TICK = Duration.ofSeconds(2);
    static final Duration OVERLAP = Duration.ofSeconds(5);
    static final Duration KEEPALIVE = Duration.ofSeconds(15);
    static final int MAX_BEHIND = 100;

    /**
     * One event of the stream: {@code hello} when it opens, {@code hosts} with the rows that changed, {@code ping}
     * to keep idle connections open.
     */
    public record FleetEvent(String type, Instant at, List<SystemStore.FleetRow> hosts) {
        public FleetEvent {
            if (!List.of("hello", "hosts", "ping").contains(type)) {
                throw new IllegalArgumentException("type: hello, hosts or ping, not " + type);
            }
            hosts = List.copyOf(hosts);
        }
    }

    private final SystemStore systems;
    private final Clock clock;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final Map<Long, SystemStore.FleetRow> pushed = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fleet-events");
        t.setDaemon(true);
        return t;
    });
    private long lastLook;     // System.nanoTime() of the last look that answered; 0: none since the streams opened
    private Instant lastEvent = Instant.EPOCH;
    private volatile boolean resend;

    public FleetEvents(Reads reads, Clock clock) {
        this.systems = new SystemStore(reads.jdbi());
        this.clock = clock;
        timer.scheduleWithFixedDelay(this::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A new stream: {@code hello} first, then the changes. */
    Publisher<Event<FleetEvent>> open() {
        return subscriber -> {
            Stream s = new Stream(subscriber);
            subscriber.onSubscribe(s);
            s.offer(Event.of(new FleetEvent("hello", clock.instant(), List.of())).name("hello"));
            streams.add(s);
            // its page read the list a moment ago: the next look pushes every row changed in its window again, so a
            // change made between that read and now, already pushed to the other streams, is not lost to this one
            resend = true;
        };
    }

    int openStreams() {
        return streams.size();
    }

    synchronized void tick() {
        try {
            if (streams.isEmpty()) {
                lastLook = 0;
                pushed.clear();
                return;
            }
            if (resend) {
                resend = false;
                pushed.clear();
            }
            long now = System.nanoTime();
            Duration window = (lastLook == 0 ? Duration.ZERO : Duration.ofNanos(now - lastLook)).plus(OVERLAP);
            List<Long> ids = systems.changedWithin(window);
            List<SystemStore.FleetRow> changed = new ArrayList<>();
            if (!ids.isEmpty()) {
                for (SystemStore.FleetRow row : systems.fleet(ids)) {
                    if (!row.equals(pushed.put(row.systemId(), row))) {
                        changed.add(row);
                    }
                }
            }
            lastLook = now;
            Instant at = clock.instant();
            if (!changed.isEmpty()) {
                broadcast(Event.of(new FleetEvent("hosts", at, changed)).name("hosts"));
            } else if (!at.isBefore(lastEvent.plus(KEEPALIVE))) {
                broadcast(Event.of(new FleetEvent("ping", at, List.of())).name("ping"));
            }
        } catch (RuntimeException e) {
            // the database away for a moment: the next look covers the gap (the window grows with the time since)
            LOG.warn("fleet events: could not read the changes: {}", e.toString());
        }
    }

    private void broadcast(Event<FleetEvent> e) {
        lastEvent = e.getData().at();
        for (Stream s : streams) {
            s.offer(e);
        }
    }

    @Override
    @PreDestroy
    public void close() {
        timer.shutdownNow();
        for (Stream s : streams) {
            s.end();
        }
    }

    /** One open stream: events queued until its reader asks for them (reactive-streams demand). */
    private final class Stream implements Subscription {
        private final Subscriber<? super Event<FleetEvent>> subscriber;
        private final Queue<Event<FleetEvent>> queue = new ConcurrentLinkedQueue<>();
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean done;
        private volatile boolean ending;

        Stream(Subscriber<? super Event<FleetEvent>> subscriber) {
            this.subscriber = subscriber;
        }

        void offer(Event<FleetEvent> e) {
            if (done) {
                return;
            }
            if (queue.size() >= MAX_BEHIND) {
                queue.clear(); // too far behind: end it, the page reconnects and reloads the table
                end();
                return;
            }
            queue.add(e);
            drain();
        }

        /** Completes the stream after what is queued, from the delivering thread (signals stay serial). */
        void end() {
            streams.remove(this);
            ending = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        @Override
        public void cancel() {
            done = true;
            streams.remove(this);
            queue.clear();
        }

        // one thread delivers at a time; a request() from inside onNext just adds demand for the loop to use
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                while (!done && demand.get() > 0) {
                    Event<FleetEvent> e = queue.poll();
                    if (e == null) {
                        break;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(e);
                }
                if (ending && !done && queue.isEmpty()) {
                    done = true;
                    subscriber.onComplete();
                }
            } while (wip.decrementAndGet() != 0);
        }
    }
}
