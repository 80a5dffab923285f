package io.fleetwatch.api;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.info.License;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;

/** The OpenAPI document's header; the paths come from the controllers at compile time. Served under /openapi/, with an index there ({@link OpenApiIndex}). */
@OpenAPIDefinition(
        info = @Info(title = ApiDocument.TITLE, version = ApiDocument.VERSION, description = "Fleetwatch REST API: systems, metrics, alerts,"
                + " rules, maintenance windows, scans, queues. Bearer tokens: viewer reads, admin writes.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
final class ApiDocument {
    static final String TITLE = "fleetwatch-api";
    static final String VERSION = "1";
    /** The name micronaut-openapi gives the document (title-version.yml), under META-INF/swagger in the jar. */
    static final String FILE = TITLE + "-" + VERSION + ".yml";

    private ApiDocument() {}
}
