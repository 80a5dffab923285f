package io.fleetwatch.api;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.Map;

/** RFC 9457 problem+json responses. */
final class Problems {
    private Problems() {}

    static MutableHttpResponse<Map<String, Object>> badRequest(String detail) {
        return of(HttpStatus.BAD_REQUEST, detail);
    }

    static MutableHttpResponse<Map<String, Object>> of(HttpStatus status, String detail) {
        return HttpResponse.<Map<String, Object>>status(status)
                .contentType(MediaType.of("application/problem+json"))
                .body(Map.of("type", "about:blank", "title", status.getReason(), "status", status.getCode(),
                        "detail", detail));
    }
}
