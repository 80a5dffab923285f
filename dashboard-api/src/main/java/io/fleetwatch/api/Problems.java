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

    /** A 500: the body carries only the correlation id under which the server logged the detail. */
    static MutableHttpResponse<Map<String, Object>> internal(String correlationId) {
        return HttpResponse.<Map<String, Object>>status(HttpStatus.INTERNAL_SERVER_ERROR)
                .contentType(MediaType.of("application/problem+json"))
                .body(Map.of("type", "about:blank", "title", HttpStatus.INTERNAL_SERVER_ERROR.getReason(),
                        "status", 500, "detail", "internal error; the server log has the detail under this correlation_id",
                        "correlation_id", correlationId));
    }

    /**
     * A write the database refused because of the request (a duplicate, a reference to nothing, a check): 409 or 400
     * with the constraint's meaning; anything else is rethrown (a 500 is then a bug, or the database is down).
     */
    static MutableHttpResponse<Map<String, Object>> ofConstraint(RuntimeException e, String duplicate, String missing) {
        Throwable t = e;
        while (t != null && !(t instanceof java.sql.SQLException)) {
            t = t.getCause();
        }
        String state = t == null ? null : ((java.sql.SQLException) t).getSQLState();
        if ("23505".equals(state)) {
            return of(HttpStatus.CONFLICT, duplicate);
        }
        if ("23503".equals(state)) {
            return badRequest(missing);
        }
        if ("23514".equals(state)) {
            return badRequest("the values break a rule of the table (e.g. clear_at <= fire_at, ends_at > starts_at)");
        }
        throw e;
    }
}
