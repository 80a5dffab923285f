package io.fleetwatch.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;

/** RFC 9457 problem+json responses. */
final class Problems {
    private Problems() {}

    /** The body of every error: RFC 9457 fields, and for a 500 the id the server logged the detail under. */
    record Problem(String type, String title, int status, String detail,
                   @Nullable @JsonInclude(JsonInclude.Include.NON_NULL) String correlationId) {}

    /** An answer other than success, thrown by a controller; {@link ErrorsController} turns it into a problem. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final HttpStatus status;

        Failure(HttpStatus status, String detail) {
            super(detail, null, false, false);
            this.status = status;
        }
    }

    static Failure notFound(String detail) {
        return new Failure(HttpStatus.NOT_FOUND, detail);
    }

    static Failure invalid(String detail) {
        return new Failure(HttpStatus.BAD_REQUEST, detail);
    }

    static MutableHttpResponse<Problem> badRequest(String detail) {
        return of(HttpStatus.BAD_REQUEST, detail);
    }

    static MutableHttpResponse<Problem> of(HttpStatus status, String detail) {
        return HttpResponse.<Problem>status(status)
                .contentType(MediaType.of("application/problem+json"))
                .body(new Problem("about:blank", status.getReason(), status.getCode(), detail, null));
    }

    /** A 500: the body carries only the correlation id under which the server logged the detail. */
    static MutableHttpResponse<Problem> internal(String correlationId) {
        return HttpResponse.<Problem>status(HttpStatus.INTERNAL_SERVER_ERROR)
                .contentType(MediaType.of("application/problem+json"))
                .body(new Problem("about:blank", HttpStatus.INTERNAL_SERVER_ERROR.getReason(), 500,
                        "internal error; the server log has the detail under this correlation_id", correlationId));
    }

    /**
     * A write the database refused because of the request (a duplicate, a reference to nothing, a check): a 409 or
     * 400 {@link Failure} with the constraint's meaning; anything else is rethrown (a 500 is then a bug, or the
     * database is down).
     */
    static RuntimeException ofConstraint(RuntimeException e, String duplicate, String missing) {
        Throwable t = e;
        while (t != null && !(t instanceof java.sql.SQLException)) {
            t = t.getCause();
        }
        String state = t == null ? null : ((java.sql.SQLException) t).getSQLState();
        if ("23505".equals(state)) {
            return new Failure(HttpStatus.CONFLICT, duplicate);
        }
        if ("23503".equals(state)) {
            return invalid(missing);
        }
        if ("23514".equals(state)) {
            return invalid("the values break a rule of the table (e.g. clear_at <= fire_at, ends_at > starts_at)");
        }
        return e;
    }
}
