package io.fleetwatch.api;

import io.micronaut.core.convert.exceptions.ConversionErrorException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.web.router.exceptions.UnsatisfiedRouteException;

/**
 * Framework errors as problem+json like every other error of the API: a parameter that does not convert (a path id
 * that is not a number) is a 400 naming the parameter, an unknown path a 404; the raw value is not echoed back.
 */
@Controller
public final class ErrorsController {
    @Error(global = true)
    public HttpResponse<?> conversion(HttpRequest<?> request, ConversionErrorException e) {
        return Problems.badRequest("parameter '" + e.getArgument().getName() + "' has the wrong type (expected "
                + e.getArgument().getType().getSimpleName().replace("Long", "integer").replace("Integer", "integer")
                + ")");
    }

    @Error(global = true)
    public HttpResponse<?> unsatisfied(HttpRequest<?> request, UnsatisfiedRouteException e) {
        return Problems.badRequest("parameter '" + e.getArgument().getName() + "' is missing or invalid");
    }

    @Error(global = true)
    public HttpResponse<?> invalidField(HttpRequest<?> request, io.fleetwatch.api.internal.Fields.Invalid e) {
        return Problems.badRequest(e.getMessage());
    }

    /**
     * A controller's refusal. A 404 answers like every other 404 of the API (the handler below): the status handler
     * has always answered the controllers' 404s too, so their detail never reached a client.
     */
    @Error(global = true)
    public HttpResponse<?> failure(HttpRequest<?> request, Problems.Failure e) {
        return e.status == HttpStatus.NOT_FOUND ? notFound(request) : Problems.of(e.status, e.getMessage());
    }

    @Error(status = HttpStatus.NOT_FOUND, global = true)
    public HttpResponse<?> notFound(HttpRequest<?> request) {
        return Problems.of(HttpStatus.NOT_FOUND, "no such resource");
    }
}
