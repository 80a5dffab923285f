package io.fleetwatch.api;

import io.micronaut.http.HttpResponse;
import io.swagger.v3.oas.annotations.Hidden;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.net.URI;

/** The web dashboard lives under /ui; the root sends a browser there. */
@Hidden // a redirect to the page, not part of the API
@Controller
public final class RootController {
    @Get
    public HttpResponse<?> root() {
        return HttpResponse.seeOther(URI.create("/ui/index.html"));
    }
}
