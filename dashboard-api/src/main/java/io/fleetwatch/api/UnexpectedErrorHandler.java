package io.fleetwatch.api;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.server.exceptions.ExceptionHandler;
import jakarta.inject.Singleton;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Any exception no other handler claims (a database error, a bug): a 500 whose body names no class, stack frame or
 * SQL, only a correlation id; the server logs the detail under the same id. Micronaut's default would put the
 * exception's message (a PSQLException with the statement) in the body.
 */
@Singleton
@Produces
final class UnexpectedErrorHandler implements ExceptionHandler<Exception, HttpResponse<?>> {
    private static final Logger LOG = LoggerFactory.getLogger(UnexpectedErrorHandler.class);

    @Override
    public HttpResponse<?> handle(HttpRequest request, Exception e) {
        String id = UUID.randomUUID().toString();
        LOG.error("correlation_id={} {} {} failed", id, request.getMethod(),
                io.fleetwatch.messages.Reasons.of(request.getPath()), e);
        return Problems.internal(id);
    }
}
