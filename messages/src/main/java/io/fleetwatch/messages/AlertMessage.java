package io.fleetwatch.messages;

import static io.fleetwatch.messages.internal.Checks.idOrNull;
import static io.fleetwatch.messages.internal.Checks.instant;
import static io.fleetwatch.messages.internal.Checks.range;
import static io.fleetwatch.messages.internal.Checks.required;
import static io.fleetwatch.messages.internal.Checks.token;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A threshold alert; routing key {@code alerts.{severity}}; fields in docs/contract.md.
 *
 * <p>{@code alert_id} (the outbox event id) and {@code state} ({@code firing} / {@code resolved}) are Fleetwatch
 * additions: the id makes redelivery idempotent, the state lets notifiers send "resolved".
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertMessage(
        @JsonProperty("schema_version") Integer schemaVersion,
        @JsonProperty("alert_id") Long alertId,
        @JsonProperty("system_id") Long systemId,
        @JsonProperty("alert_type") String alertType,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("state") String state,
        @JsonProperty("value") Double value,
        @JsonProperty("threshold") Double threshold,
        @JsonProperty("timestamp") Instant timestamp) {

    public AlertMessage {
        schemaVersion = SchemaVersion.check(schemaVersion);
        alertId = idOrNull("alert_id", alertId, Bounds.PRODUCER_ID_MAX);
        idOrNull("system_id", required("system_id", systemId), Bounds.PRODUCER_ID_MAX);
        alertType = token("alert_type", alertType);
        required("severity", severity);
        state = state == null ? "firing" : state;
        if (!state.equals("firing") && !state.equals("resolved")) {
            throw new IllegalArgumentException("state must be firing or resolved, not '" + state + "'");
        }
        if (value != null) {
            range("value", value, -Bounds.ALERT_VALUE_MAX, Bounds.ALERT_VALUE_MAX);
        }
        if (threshold != null) {
            range("threshold", threshold, -Bounds.ALERT_VALUE_MAX, Bounds.ALERT_VALUE_MAX);
        }
        instant("timestamp", timestamp);
    }

    public String routingKey() {
        return Routing.alertRoutingKey(severity);
    }
}
