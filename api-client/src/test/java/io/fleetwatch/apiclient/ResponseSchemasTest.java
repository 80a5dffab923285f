package io.fleetwatch.apiclient;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API's OpenAPI document (as dashboard-api's build wrote it) gives every successful response a real schema, so the
 * client generated from it has typed answers instead of {@code Map<String, Object>}.
 */
class ResponseSchemasTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void everySuccessfulResponseOfTheApiHasATypedSchema() throws Exception {
        Path document = Path.of(System.getProperty("fleetwatch.api.document")).normalize();
        List<String> problems = ResponseSchemas.problems(YAML.readTree(document.toFile()));
        assertThat(problems).as("untyped 2xx responses in %s", document).isEmpty();
    }

    @Test
    void theCheckFindsMissingAndFreeFormSchemas() throws Exception {
        String response = "{content: {application/json: {schema: %s}}}";
        JsonNode doc = YAML.readTree("""
                openapi: 3.0.1
                paths:
                  /typed: {get: {responses: {"200": %s, "204": {description: none}, "404": {description: unchecked}}}}
                  /counts: {get: {responses: {"200": %s}}}
                  /bare: {delete: {responses: {"200": {description: an empty body}}}}
                  /unsaid: {post: {responses: {"201": {content: {application/json: {}}}}}}
                  /object: {get: {responses: {"200": %s}}}
                  /maps: {get: {responses: {"200": %s}}}
                  /nested: {get: {responses: {"202": %s}}}
                components:
                  schemas:
                    Node: {type: object, properties: {name: {type: string},
                           children: {type: array, items: {$ref: '#/components/schemas/Node'}}}}
                    Loose: {type: object, properties: {id: {type: integer}, details: {type: object}}}
                """.formatted(response.formatted("{$ref: '#/components/schemas/Node'}"),
                response.formatted("{type: object, additionalProperties: {type: integer}}"),
                response.formatted("{type: object}"),
                response.formatted("{type: array, items: {type: object, additionalProperties: {type: object}}}"),
                response.formatted("{$ref: '#/components/schemas/Loose'}")));
        assertThat(ResponseSchemas.problems(doc)).containsExactly(
                "POST /unsaid 201 application/json: no schema",
                "GET /object 200 application/json: free-form object at $",
                "GET /maps 200 application/json: free-form object at $[]{*}",
                "GET /nested 202 application/json: free-form object at $<Loose>.details");
    }
}
