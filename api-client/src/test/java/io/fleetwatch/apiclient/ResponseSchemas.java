package io.fleetwatch.apiclient;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the successful responses of an OpenAPI 3 document that a generated client cannot type: no schema, or a
 * free-form object somewhere inside the schema ({@code type: object} with no properties and no typed
 * {@code additionalProperties}, i.e. {@code Map<String, Object>} or {@code Object} on the server). A typed map
 * ({@code additionalProperties} with a real schema, e.g. counts by status) is fine. A response with no content at all
 * (a void answer, such as a delete's 204) declares an empty body and needs no schema.
 */
final class ResponseSchemas {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    private ResponseSchemas() {}

    /** One line per problem: {@code METHOD /path STATUS: what, where}; empty when every 2xx response is typed. */
    static List<String> problems(JsonNode document) {
        List<String> out = new ArrayList<>();
        JsonNode schemas = document.path("components").path("schemas");
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (!METHODS.contains(op.getKey())) {
                    continue;
                }
                for (Map.Entry<String, JsonNode> r : op.getValue().path("responses").properties()) {
                    String code = r.getKey();
                    if (!code.startsWith("2")) {
                        continue;
                    }
                    String where = op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey() + " " + code;
                    // no content at all declares an empty body (a void answer): nothing to type
                    JsonNode content = r.getValue().path("content");
                    for (Map.Entry<String, JsonNode> m : content.properties()) {
                        JsonNode schema = m.getValue().get("schema");
                        if (schema == null) {
                            out.add(where + " " + m.getKey() + ": no schema");
                        } else {
                            check(schema, schemas, "$", new HashSet<>(), where + " " + m.getKey(), out);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Walks one schema; {@code seen} holds the components already entered on this branch (recursive types). */
    private static void check(JsonNode schema, JsonNode components, String at, Set<String> seen, String where,
                              List<String> out) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            String name = ref.substring(ref.lastIndexOf('/') + 1);
            JsonNode target = components.get(name);
            if (target == null) {
                out.add(where + ": " + at + " refers to a missing schema " + ref);
            } else if (seen.add(name)) {
                check(target, components, at + "<" + name + ">", seen, where, out);
                seen.remove(name);
            }
            return;
        }
        boolean composed = false;
        for (String k : List.of("allOf", "oneOf", "anyOf")) {
            if (schema.has(k)) {
                composed = true;
                int i = 0;
                for (JsonNode member : schema.get(k)) {
                    check(member, components, at + "." + k + "[" + i++ + "]", seen, where, out);
                }
            }
        }
        String type = schema.path("type").asText("");
        JsonNode properties = schema.path("properties");
        JsonNode additional = schema.get("additionalProperties");
        if (type.equals("array")) {
            if (schema.has("items")) {
                check(schema.get("items"), components, at + "[]", seen, where, out);
            } else {
                out.add(where + ": array without items at " + at);
            }
        } else if (!properties.isEmpty()) {
            for (Map.Entry<String, JsonNode> p : properties.properties()) {
                check(p.getValue(), components, at + "." + p.getKey(), seen, where, out);
            }
        } else if (additional != null && additional.isObject() && !additional.isEmpty()) {
            check(additional, components, at + "{*}", seen, where, out); // a map: its values must be typed
        } else if (type.isEmpty() ? !composed && !schema.has("enum") : type.equals("object")) {
            out.add(where + ": free-form object at " + at);
        }
    }
}
