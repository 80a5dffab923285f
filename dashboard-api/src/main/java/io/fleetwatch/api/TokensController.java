package io.fleetwatch.api;

import io.fleetwatch.api.internal.Fields;
import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.store.TokenStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Status;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/**
 * API tokens from the web page, as {@code fleetwatch admin create-token|list-tokens|revoke-token} does them (admin:
 * the list is one of {@link AuthFilter#ADMIN_READS}), and who the caller is (any token), so the page can hide what
 * a viewer may not do.
 */
@Controller("/api")
public final class TokensController {
    /** The caller's token name and role. */
    public record Caller(String name, String role) {}

    /** A token to make: a name (letters, digits, . _ @ -; at most 64) and its role. */
    public record TokenRequest(String name, String role) {
        static TokenStore.Holder of(Fields f) {
            String name = f.textOrNull("name", 64);
            if (name == null || !name.matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new Fields.Invalid("name must be letters, digits and . _ @ - only, at most 64");
            }
            return new TokenStore.Holder(name, f.oneOf("role", TokenStore.ROLES));
        }
    }

    /** A token just made: the only time its secret is shown (only its SHA-256 is kept). */
    public record CreatedToken(String name, String role, String token, Instant createdAt) {}

    private final TokenStore tokens;
    private final AuthFilter auth;

    public TokensController(Jdbi jdbi, AuthFilter auth) {
        this.tokens = new TokenStore(jdbi);
        this.auth = auth;
    }

    @Get(uri = "/whoami", produces = MediaType.APPLICATION_JSON)
    public Caller whoami(HttpRequest<?> request) {
        TokenCheck.Caller c = AuthFilter.caller(request);
        return new Caller(c.name(), c.role().name().toLowerCase(Locale.ROOT));
    }

    /** Every token by name, revoked ones included; never a digest. */
    @Get(uri = "/tokens", produces = MediaType.APPLICATION_JSON)
    public List<TokenStore.Token> tokens() {
        return tokens.list();
    }

    @Post(uri = "/tokens", produces = MediaType.APPLICATION_JSON)
    @Status(HttpStatus.CREATED)
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = TokenRequest.class)))
    public CreatedToken createToken(@Nullable @Body Map<String, Object> body) {
        TokenStore.Holder holder = TokenRequest.of(new Fields(body));
        String secret = TokenCheck.newToken();
        TokenStore.Token made;
        try {
            made = tokens.create(holder, TokenCheck.sha256(secret));
        } catch (RuntimeException e) {
            throw Problems.ofConstraint(e, "a token named '" + holder.name() + "' exists (revoked ones keep their name)",
                    "no such reference");
        }
        return new CreatedToken(made.name(), made.role(), secret, made.createdAt());
    }

    /** Revokes the active token of that name; it stops working at once on this API instance. */
    @Delete(uri = "/tokens/{name}")
    public HttpResponse<Void> revokeToken(@PathVariable String name) {
        if (!tokens.revoke(name)) {
            throw Problems.notFound("no active token named '" + name + "'");
        }
        auth.forget(name);
        return HttpResponse.noContent();
    }
}
