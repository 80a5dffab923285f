package io.fleetwatch.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/** The OpenAPI document's header; the paths come from the controllers at compile time. Served at /openapi/. */
@OpenAPIDefinition(
        info = @Info(title = "fleetwatch-api", version = "1", description = "Fleetwatch REST API: systems, metrics, alerts,"
                + " rules, maintenance windows, scans, queues. Bearer tokens: viewer reads, admin writes.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
final class ApiDocument {
    private ApiDocument() {}
}
