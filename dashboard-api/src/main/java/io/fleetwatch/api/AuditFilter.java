package io.fleetwatch.api;

import io.fleetwatch.api.internal.TokenCheck;
import io.fleetwatch.store.AuditStore;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import jakarta.inject.Singleton;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every admin write in {@code audit_log} once it is answered: the token's name, method, path, the target's id
 * (the path's, or a created object's), a summary of the body with secrets left out, the client's address and the
 * status. Only requests that passed {@link AuthFilter} as writes carry a caller here, so these are admin writes.
 */
@ServerFilter("/api/**")
@Singleton
public final class AuditFilter {
    private static final Logger LOG = LoggerFactory.getLogger(AuditFilter.class);
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
    /** Body fields whose values are never written down. */
    static final Pattern SECRET = Pattern.compile("(?i).*(token|password|secret|authorization|credential|key).*");
    static final int SUMMARY_MAX = 500;
    static final int VALUE_MAX = 80;
    private static final Pattern ID = Pattern.compile("[0-9]+");

    private final AuditStore audit;
    private final List<String> trustedProxies;

    public AuditFilter(Jdbi jdbi, ApiSettings settings) {
        this.audit = new AuditStore(jdbi);
        this.trustedProxies = settings.trustedProxies();
    }

    @ResponseFilter
    public void record(HttpRequest<?> request, MutableHttpResponse<?> response) {
        if (READS.contains(request.getMethod())) {
            return;
        }
        var caller = request.getAttribute(AuthFilter.CALLER, TokenCheck.Caller.class);
        if (caller.isEmpty()) {
            return;   // refused before it was a write (401, 403, 429)
        }
        String path = request.getPath();
        try {
            audit.record(new AuditStore.Write(caller.get().name(), request.getMethodName(), path,
                    targetId(path, response.getBody().orElse(null)),
                    summary(request.getBody(Map.class).orElse(null)),
                    ClientAddress.of(request, trustedProxies), response.getStatus().getCode()));
        } catch (RuntimeException e) {
            // the write itself is done and answered; a lost audit entry must show in the log
            LOG.error("audit log: could not record {} {} by {} ({})", request.getMethodName(), path,
                    caller.get().name(), e.toString());
        }
    }

    /** The first numeric segment of the path, else the {@code id} of the object answered (a creation). */
    static String targetId(String path, Object answered) {
        for (String segment : path.split("/")) {
            if (ID.matcher(segment).matches()) {
                return segment;
            }
        }
        if (answered != null && answered.getClass().isRecord()) {
            for (RecordComponent c : answered.getClass().getRecordComponents()) {
                if (c.getName().equals("id")) {
                    try {
                        Object v = c.getAccessor().invoke(answered);
                        return v == null ? null : v.toString();
                    } catch (ReflectiveOperationException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    /** {@code field=value, …} of the body's top level, values cut short, secrets as {@code ***}; null without a body. */
    static String summary(Map<?, ?> body) {
        if (body == null || body.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (Map.Entry<?, ?> e : body.entrySet()) {
            String key = String.valueOf(e.getKey());
            String value = SECRET.matcher(key).matches() ? "***" : String.valueOf(e.getValue());
            if (value.length() > VALUE_MAX) {
                value = value.substring(0, VALUE_MAX) + "…";
            }
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append(key).append('=').append(value);
        }
        return s.length() > SUMMARY_MAX ? s.substring(0, SUMMARY_MAX) + "…" : s.toString();
    }
}
