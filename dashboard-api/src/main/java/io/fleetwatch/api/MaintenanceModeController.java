package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.store.MaintenanceModeStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/**
 * Maintenance mode for the whole system: {@code GET} for every role, {@code PUT} for admins. While it is on, the
 * consumers take no new messages and {@link Gate} answers every other write with 503 and {@code Retry-After}.
 */
@Controller(MaintenanceModeController.PATH)
public final class MaintenanceModeController {
    static final String PATH = "/api/maintenance-mode";
    /** How long the API trusts its last read of the switch (another process may flip it). */
    static final Duration CHECK = Duration.ofSeconds(2);
    /** What a refused write is told to wait, in seconds. */
    static final int RETRY_AFTER_SECONDS = 60;

    /** The switch as sent: on or off, and why (optional). */
    public record ModeRequest(boolean enabled, @Nullable String reason) {}

    /** The API's cached view of the switch, shared by the controller (which refreshes it) and the filter. */
    @Singleton
    static final class Switch {
        final MaintenanceModeStore.Cached cached;

        Switch(Jdbi jdbi) {
            this.cached = new MaintenanceModeStore.Cached(jdbi, CHECK);
        }
    }

    /** Refuses writes while maintenance mode is on; reads, and turning it off (this controller), still work. */
    @ServerFilter("/api/**")
    @Singleton
    static final class Gate {
        private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
        private final Switch modeSwitch;

        Gate(Switch modeSwitch) {
            this.modeSwitch = modeSwitch;
        }

        @RequestFilter
        @Nullable
        public MutableHttpResponse<?> refuseWrites(HttpRequest<?> request) {
            if (READS.contains(request.getMethod()) || request.getPath().equals(PATH) || !modeSwitch.cached.enabled()) {
                return null; // proceed
            }
            return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "maintenance mode is on: writes are refused until it"
                    + " ends (GET " + PATH + ")").header("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        }
    }

    private final MaintenanceModeStore store;
    private final Switch modeSwitch;
    private final Clock clock;

    public MaintenanceModeController(Jdbi jdbi, Switch modeSwitch, Clock clock) {
        this.store = new MaintenanceModeStore(jdbi);
        this.modeSwitch = modeSwitch;
        this.clock = clock;
    }

    @Get(produces = MediaType.APPLICATION_JSON)
    public MaintenanceModeStore.Mode current() {
        return store.current();
    }

    /** Turns it on or off as the caller; {@code since} changes only when the state does. */
    @Put(produces = MediaType.APPLICATION_JSON)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = ModeRequest.class)))
    public MaintenanceModeStore.Mode set(@Nullable @Body Map<String, Object> body, HttpRequest<?> request) {
        Fields f = new Fields(body);
        if (!f.has("enabled")) {
            throw Problems.invalid("enabled: true or false is required");
        }
        MaintenanceModeStore.Mode m = store.set(f.bool("enabled", false), f.textOrNull("reason", 500),
                AuthFilter.callerName(request), clock.instant());
        modeSwitch.cached.invalidate();
        return m;
    }
}
