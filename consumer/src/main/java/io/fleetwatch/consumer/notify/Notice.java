package io.fleetwatch.consumer.notify;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/** What a notification says: the alert incident and whether it just fired or resolved. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Notice(
        @JsonProperty("alert_id") long alertRow,
        @JsonProperty("event") String event,
        @JsonProperty("system_id") long systemId,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("ip_address") String ipAddress,
        @JsonProperty("alert_type") String alertType,
        @JsonProperty("severity") String severity,
        @JsonProperty("value") Double value,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("occurred_at") Instant occurredAt,
        @JsonProperty("resolved_at") Instant resolvedAt) {

    public String subject() {
        String host = hostname != null ? hostname : ipAddress != null ? ipAddress : "system " + systemId;
        return "[fleetwatch] " + severity.toUpperCase(java.util.Locale.ROOT) + " " + alertType + " on " + host
                + ("resolved".equals(event) ? " resolved" : "");
    }
}
