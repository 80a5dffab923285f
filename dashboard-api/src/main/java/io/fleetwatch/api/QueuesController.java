package io.fleetwatch.api;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Depth and consumers of the three queues and their dead-letter queues, by passive declare over one AMQP connection
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

    @Get(produces = MediaType.APPLICATION_JSON)
    @Status(io.micronaut.http.HttpStatus.OK)
    public synchronized Map<String, Object> queues() {
        Map<String, Object> body = new LinkedHashMap<>();
        List<Map<String, Object>> out = new ArrayList<>();
        body.put("queues", out);
        if (broker == null) {
            body.put("error", "no broker configured for the API");
            return body;
        }
        try {
            if (connection == null || !connection.isOpen()) {
                connection = broker.newConnection("fleetwatch-api");
            }
            Routing.QueueNames names = Routing.QueueNames.defaults();
            for (String q : List.of(names.discovery(), names.metrics(), names.alerts())) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", q);
                try (Channel ch = connection.createChannel()) {
                    var ok = ch.queueDeclarePassive(q);
                    row.put("messages", ok.getMessageCount());
                    row.put("consumers", ok.getConsumerCount());
                    row.put("dead_letters", ch.queueDeclarePassive(q + Routing.DEAD_LETTER_SUFFIX).getMessageCount());
                }
                out.add(row);
            }
        } catch (Exception e) {
            body.put("error", "broker " + broker.describe() + " unreachable: " + e.getMessage());
        }
        return body;
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
