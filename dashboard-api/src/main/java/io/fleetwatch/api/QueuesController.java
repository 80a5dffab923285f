package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.fleetwatch.broker.BrokerSettings;
import io.fleetwatch.messages.Routing;
import io.micronaut.context.BeanProvider;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Status;
import jakarta.annotation.PreDestroy;
import java.util.ArrayList;
import java.util.List;

/**
 * Depth and consumers of the four queues and their dead-letter queues, by passive declare over one AMQP connection
 * kept open (and reopened after a failure). A broker that is down is reported in the body, not as an error: the page
 * that shows queues is the one you look at when something is wrong.
 */
@Controller("/api/queues")
public final class QueuesController {
    /** Registered when the API runs without broker settings. */
    public static final class NoBroker {}

    private final BrokerSettings broker;
    private Connection connection;

    public QueuesController(BeanProvider<BrokerSettings> broker) {
        this.broker = broker.isPresent() ? broker.get() : null;
    }

    /** A queue's ready messages and consumers, and the messages in its dead-letter queue. */
    public record QueueDepth(String name, int messages, int consumers, int deadLetters) {}

    /** The queues read before any error, and the error when the broker could not be asked. */
    public record Queues(List<QueueDepth> queues,
                         @io.micronaut.core.annotation.Nullable @JsonInclude(JsonInclude.Include.NON_NULL) String error) {}

    @Get(produces = MediaType.APPLICATION_JSON)
    @Status(io.micronaut.http.HttpStatus.OK)
    public synchronized Queues queues() {
        List<QueueDepth> out = new ArrayList<>();
        if (broker == null) {
            return new Queues(out, "no broker configured for the API");
        }
        try {
            if (connection == null || !connection.isOpen()) {
                connection = broker.newConnection("fleetwatch-api");
            }
            Routing.QueueNames names = Routing.QueueNames.defaults();
            for (String q : names.all()) {
                try (Channel ch = connection.createChannel()) {
                    var ok = ch.queueDeclarePassive(q);
                    out.add(new QueueDepth(q, ok.getMessageCount(), ok.getConsumerCount(),
                            ch.queueDeclarePassive(q + Routing.DEAD_LETTER_SUFFIX).getMessageCount()));
                }
            }
        } catch (Exception e) {
            return new Queues(out, "broker " + broker.describe() + " unreachable: " + e.getMessage());
        }
        return new Queues(out, null);
    }

    @PreDestroy
    synchronized void close() {
        try {
            if (connection != null && connection.isOpen()) {
                connection.close();
            }
        } catch (Exception e) {
            // closing on shutdown: nothing to do about it
        }
    }
}
