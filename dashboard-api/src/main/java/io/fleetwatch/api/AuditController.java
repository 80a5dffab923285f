package io.fleetwatch.api;

import io.fleetwatch.api.internal.Page;
import io.fleetwatch.store.AuditStore;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The audit log of admin writes ({@link AuditFilter}), for admins only ({@link AuthFilter#ADMIN_READS}). */
@Controller("/api/audit")
public final class AuditController {
    static final int MAX_LIMIT = 1_000;

    /** Entries newest first, at or after {@code since} when given. */
    public record AuditPage(int limit, @Nullable Instant since, List<AuditStore.Entry> entries) {}

    private final AuditStore audit;

    public AuditController(Jdbi jdbi) {
        this.audit = new AuditStore(jdbi);   // the primary: an entry shows at once
    }

    /** Its own name: the generated client names operations after the methods (a second "list" renumbers the others). */
    @Get(produces = MediaType.APPLICATION_JSON)
    public AuditPage auditLog(@Nullable @QueryValue Integer limit, @Nullable @QueryValue String since) {
        int n = Page.of(limit, 0, 100, MAX_LIMIT).limit();
        Instant from;
        try {
            from = since == null ? null : OffsetDateTime.parse(since).toInstant();
        } catch (DateTimeParseException e) {
            throw Problems.invalid("since must be an ISO-8601 date-time with offset, e.g. 2025-11-25T10:35:00Z");
        }
        return new AuditPage(n, from, audit.recent(from, n));
    }
}
