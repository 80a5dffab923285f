package io.fleetwatch.api;

import com.rabbitmq.client.Connection;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.broker.DeadLetters;
import io.fleetwatch.messages.Routing;
import io.micronaut.context.BeanProvider;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter queues for admins (the letters' bodies may hold anything a producer sent, so listing needs the
 * admin role too): list with reason and body, replay onto the original routing key after a fix (with publisher
 * confirms, as {@code fleetwatch dlq replay}), purge. {@code queue} is a work queue or its dead-letter queue (default:
 * all three); {@code reason} matches part of the reason, case-insensitive; {@code limit} counts per queue.
 */
@Controller("/api/dead-letters")
public final class DeadLettersController {
    static final int DEFAULT_LIST_LIMIT = 100;
    static final int MAX_LIST_LIMIT = 1000;

    /** One dead letter, as {@link DeadLetters.Letter} with its body as text. */
    public record DeadLetter(int position, String deadLetterQueue, String sourceQueue, @Nullable String reason,
                             String exchange, String routingKey, @Nullable Instant deadLetteredAt, int replayed,
                             String body) {
        static DeadLetter of(DeadLetters.Letter l) {
            return new DeadLetter(l.position(), l.deadLetterQueue(), l.sourceQueue(), l.reason(), l.exchange(),
                    l.routingKey(), l.deadLetteredAt(), l.replayed(), l.bodyText());
        }
    }

    /** What a replay or purge did to one dead-letter queue; {@code failed}: the letter a replay stopped at. */
    public record Outcome(String deadLetterQueue, int taken, int left, @Nullable String failed) {
        static Outcome of(DeadLetters.Outcome o) {
            return new Outcome(o.deadLetterQueue(), o.taken(), o.left(), o.failed());
        }
    }

    private final BrokerSettings broker;

    public DeadLettersController(BeanProvider<BrokerSettings> broker) {
        this.broker = broker.isPresent() ? broker.get() : null;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public List<DeadLetter> deadLetters(@Nullable @QueryValue String queue, @Nullable @QueryValue String reason,
                                 @Nullable @QueryValue Integer limit, HttpRequest<?> request) throws Exception {
        DeadLetters.Filter filter = filter(reason, limit == null ? DEFAULT_LIST_LIMIT : limit, request);
        List<String> queues = queues(queue);
        try (Connection c = connect()) {
            DeadLetters dl = new DeadLetters(c, Duration.ofSeconds(10));
            List<DeadLetter> out = new ArrayList<>();
            for (String q : queues) {
                dl.list(q, filter).forEach(l -> out.add(DeadLetter.of(l)));
            }
            return out;
        }
    }

    @Post(uri = "/replay", produces = MediaType.APPLICATION_JSON)
    public List<Outcome> replayDeadLetters(@Nullable @QueryValue String queue, @Nullable @QueryValue String reason,
                                @Nullable @QueryValue Integer limit, HttpRequest<?> request) throws Exception {
        return each(queue, filter(reason, limit == null ? Integer.MAX_VALUE : limit, request), DeadLetters::replay);
    }

    @Post(uri = "/purge", produces = MediaType.APPLICATION_JSON)
    public List<Outcome> purgeDeadLetters(@Nullable @QueryValue String queue, @Nullable @QueryValue String reason,
                               @Nullable @QueryValue Integer limit, HttpRequest<?> request) throws Exception {
        return each(queue, filter(reason, limit == null ? Integer.MAX_VALUE : limit, request), DeadLetters::purge);
    }

    @FunctionalInterface
    private interface Step {
        DeadLetters.Outcome run(DeadLetters dl, String deadLetterQueue, DeadLetters.Filter filter) throws Exception;
    }

    private List<Outcome> each(@Nullable String queue, DeadLetters.Filter filter, Step step) throws Exception {
        List<String> queues = queues(queue);
        try (Connection c = connect()) {
            DeadLetters dl = new DeadLetters(c, Duration.ofSeconds(10));
            List<Outcome> out = new ArrayList<>();
            for (String q : queues) {
                out.add(Outcome.of(step.run(dl, q, filter)));
            }
            return out;
        }
    }

    /** Only Fleetwatch's own dead-letter queues: anything else is a 400, not a broker error. */
    private static List<String> queues(@Nullable String queue) {
        List<String> all = DeadLetters.queues(null, Routing.QueueNames.defaults());
        List<String> chosen = DeadLetters.queues(queue, Routing.QueueNames.defaults());
        if (!all.containsAll(chosen)) {
            throw Problems.invalid("queue must be one of " + all + " or its work queue");
        }
        return chosen;
    }

    /** The filter, after checking the caller is an admin (AuthFilter lets any role read). */
    private static DeadLetters.Filter filter(@Nullable String reason, int limit, HttpRequest<?> request) {
        boolean admin = request.getAttribute(AuthFilter.CALLER, TokenCheck.Caller.class)
                .map(c -> c.role() == TokenCheck.Role.ADMIN).orElse(false);
        if (!admin) {
            throw new Problems.Failure(HttpStatus.FORBIDDEN, "dead letters need a token with the admin role");
        }
        if (limit < 1 || limit > MAX_LIST_LIMIT && limit != Integer.MAX_VALUE) {
            throw Problems.invalid("limit must be 1 to " + MAX_LIST_LIMIT);
        }
        return new DeadLetters.Filter(reason, limit);
    }

    private Connection connect() throws Exception {
        if (broker == null) {
            throw new Problems.Failure(HttpStatus.SERVICE_UNAVAILABLE, "no broker configured for the API");
        }
        try {
            return broker.newConnection("fleetwatch-api-dead-letters");
        } catch (Exception e) {
            throw new Problems.Failure(HttpStatus.SERVICE_UNAVAILABLE, "broker " + broker.describe() + " unreachable");
        }
    }
}
