package io.fleetwatch.api;

import io.fleetwatch.api.internal.TokenCheck;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import jakarta.inject.Singleton;
import java.util.Map;

/** Everything under /api needs a bearer token; health endpoints stay open for probes. */
@ServerFilter("/api/**")
@Singleton
public final class AuthFilter {
    private final TokenCheck check;

    public AuthFilter(ApiSettings settings) {
        this.check = new TokenCheck(settings.tokens());
    }

    @RequestFilter
    @Nullable
    public MutableHttpResponse<?> authenticate(HttpRequest<?> request) {
        if (check.accepts(request.getHeaders().get("Authorization"))) {
            return null; // proceed
        }
        return HttpResponse.status(HttpStatus.UNAUTHORIZED)
                .header("WWW-Authenticate", "Bearer realm=\"fleetwatch\"")
                .contentType(MediaType.of("application/problem+json"))
                .body(Map.of("type", "about:blank", "title", "Unauthorized", "status", 401,
                        "detail", "a valid bearer token is required"));
    }
}
