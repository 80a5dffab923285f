package io.fleetwatch.api;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;

/**
 * Refuses a declared body over {@link #MAX_BYTES} with 413 before anything else runs, also on endpoints that take no
 * body (Micronaut's max-request-size only applies to bodies it reads).
 */
@ServerFilter("/**")
@Singleton
public final class SizeLimitFilter implements Ordered {
    static final long MAX_BYTES = 1024 * 1024;

    @RequestFilter
    @Nullable
    public MutableHttpResponse<?> check(HttpRequest<?> request) {
        long declared = request.getContentLength();
        if (declared > MAX_BYTES) {
            return Problems.of(HttpStatus.REQUEST_ENTITY_TOO_LARGE, "request body of " + declared
                    + " bytes is over the limit of " + MAX_BYTES);
        }
        return null;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.FIRST.order();
    }
}
