package io.fleetwatch.cli.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fleetwatch.settings.Keys;
import io.fleetwatch.settings.Settings;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookupFactory;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/**
 * Reads {@code fleetwatch.yml}: YAML, then {@code ${VAR}} (required) and {@code ${VAR:-default}} substitution in the
 * values (after parsing, so a substituted value can never change the document's structure), then binding with unknown
 * keys refused, then Bean Validation. Every error names the key ({@code consumer.batch-size: must be ...}).
 *
 * <p>The result is the settings the components read: the file's values mapped onto their environment variables
 * through the settings table ({@link Keys#fromConfig}), with the process environment on top (a variable that is set
 * wins over the file, as in twelve-factor deployments and systemd {@code Environment=}).
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
    private static final java.util.regex.Pattern UNRESOLVED = java.util.regex.Pattern.compile("variable '([^']*)'");
    private static final java.util.regex.Pattern ONLY_REFERENCES = java.util.regex.Pattern.compile("(\\$\\{[^}]*}\\s*)+");

    private ConfigLoader() {}

    /** What was loaded: the typed config, the effective settings, and which file keys the environment overrode. */
    public record Loaded(java.nio.file.Path file, FleetwatchConfig config, Settings settings,
                         Map<String, String> fromFile, List<String> overridden) {
        /** The effective environment: the same values by variable name ({@link Settings#env()}). */
        public Map<String, String> env() {
            return settings.env();
        }
    }

    public static Loaded load(java.nio.file.Path file, Map<String, String> processEnv) {
        String where = "config " + file;
        JsonNode tree;
        try {
            tree = YAML.readTree(Files.readString(file));
        } catch (JacksonException e) {
            // SnakeYAML's message spans lines with the source excerpt; keep its sentences, on one line.
            String why = java.util.Arrays.stream(String.valueOf(e.getOriginalMessage()).split("\n"))
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("in 'reader'") && !l.equals("^"))
                    .distinct().collect(java.util.stream.Collectors.joining("; "));
            throw new IllegalArgumentException(where + ": not valid YAML"
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() : "") + ": " + why);
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot read (" + e + ")");
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            tree = YAML.createObjectNode();
        }
        if (!tree.isObject()) {
            throw new IllegalArgumentException(where + ": the top level must be a mapping of sections (broker:, database: ...)");
        }
        refuseReadableSecrets(file, tree);
        StringSubstitutor sub = new StringSubstitutor(StringLookupFactory.INSTANCE.functionStringLookup(processEnv::get));
        sub.setValueDelimiter(":-");
        sub.setEnableUndefinedVariableException(true);
        try {
            substitute(tree, "", sub);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        FleetwatchConfig config;
        try {
            config = YAML.treeToValue(tree, FleetwatchConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String at = path(e);
            throw new IllegalArgumentException(where + ": " + at + ": unknown key (known here: "
                    + String.join(", ", e.getKnownPropertyIds().stream().map(Object::toString).sorted().toList()) + ")");
        } catch (com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
            throw new IllegalArgumentException(where + ": " + path(e) + ": expected " + expected(e.getTargetType())
                    + (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f
                       ? ", not '" + f.getValue() + "'" : ""));
        } catch (JsonMappingException e) {
            throw new IllegalArgumentException(where + ": " + path(e) + ": " + e.getOriginalMessage().lines()
                    .findFirst().orElse(""));
        } catch (JacksonException e) {
            throw new IllegalArgumentException(where + ": " + e.getOriginalMessage());
        }
        validate(where, config);
        JsonNode bound = YAML.valueToTree(config);
        Map<String, String> fromFile = Keys.fromConfig(path -> valueAt(bound, path));
        List<String> overridden = new ArrayList<>();
        for (var en : processEnv.entrySet()) {
            if (fromFile.containsKey(en.getKey()) && !fromFile.get(en.getKey()).equals(en.getValue())) {
                overridden.add(en.getKey());
            }
        }
        return new Loaded(file, config, Settings.of(fromFile, processEnv), Map.copyOf(fromFile),
                List.copyOf(overridden));
    }

    /** The bound value at a config path ({@code broker.tls.enabled}): text, a number, a switch, a list; null if unset. */
    private static Object valueAt(JsonNode root, String path) {
        JsonNode n = root;
        for (String part : path.split("\\.")) {
            n = n == null ? null : n.get(part);
        }
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isArray()) {
            List<String> items = new ArrayList<>();
            n.forEach(item -> items.add(item.asText()));
            return items;
        }
        return n.asText();
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == Long.class || type == int.class || type == long.class) {
            return "a whole number";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (java.util.Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a section (key: value lines)";
    }

    private static void validate(String where, FleetwatchConfig config) {
        try (ValidatorFactory f = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()) {
            Validator v = f.getValidator();
            Set<ConstraintViolation<FleetwatchConfig>> bad = v.validate(config);
            if (!bad.isEmpty()) {
                List<String> lines = bad.stream().map(c -> key(c.getPropertyPath()) + ": " + c.getMessage()
                        + " (was '" + c.getInvalidValue() + "')").sorted(Comparator.naturalOrder()).toList();
                throw new IllegalArgumentException(where + ": " + String.join("; ", lines));
            }
        }
    }

    /** {@code consumer.batchSize} → {@code consumer.batch-size}; list elements as {@code scan.allow[2]}. */
    private static String key(Path p) {
        StringBuilder sb = new StringBuilder();
        for (Path.Node n : p) {
            if (n.getName() == null || n.getName().startsWith("<")) {
                if (n.getIndex() != null) {
                    sb.append('[').append(n.getIndex()).append(']');
                }
                continue;
            }
            sb.append(sb.length() > 0 ? "." : "").append(kebab(n.getName()));
            if (n.getIndex() != null) {
                sb.append('[').append(n.getIndex()).append(']');
            }
        }
        return sb.toString().replace(".[", "[");
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                sb.append(sb.length() > 0 ? "." : "").append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    /** Substitutes in every string value; an empty result means "not set" (so {@code ${X:-}} leaves a key unset). */
    private static void substitute(JsonNode node, String at, StringSubstitutor sub) {
        if (node instanceof ObjectNode o) {
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            List<String> names = new ArrayList<>();
            it.forEachRemaining(e -> names.add(e.getKey()));
            for (String name : names) {
                String here = at.isEmpty() ? name : at + "." + name;
                JsonNode child = o.get(name);
                if (child instanceof TextNode t) {
                    String v = resolve(here, t.textValue(), sub);
                    o.set(name, v.isEmpty() ? NullNode.getInstance() : TextNode.valueOf(v));
                } else {
                    substitute(child, here, sub);
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                if (a.get(i) instanceof TextNode t) {
                    a.set(i, TextNode.valueOf(resolve(at + "[" + i + "]", t.textValue(), sub)));
                } else {
                    substitute(a.get(i), at + "[" + i + "]", sub);
                }
            }
        }
    }

    private static String resolve(String key, String value, StringSubstitutor sub) {
        try {
            return sub.replace(value);
        } catch (IllegalArgumentException e) {
            Matcher m = UNRESOLVED.matcher(String.valueOf(e.getMessage()));
            String var = m.find() ? m.group(1) : "?";
            throw new IllegalArgumentException(key + ": environment variable " + var + " is required (${" + var
                    + "}) but not set; set it, or write ${" + var + ":-default}");
        }
    }

    /** A secret written into the file itself must not be readable by others (secrets belong in env or 0600 files). */
    private static void refuseReadableSecrets(java.nio.file.Path file, JsonNode tree) {
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        boolean shared = perms.stream().anyMatch(p -> p.name().startsWith("GROUP_R") || p.name().startsWith("OTHERS_R"));
        if (!shared) {
            return;
        }
        for (String key : Keys.secretPaths()) {
            JsonNode n = tree;
            for (String part : key.split("\\.")) {
                n = n == null ? null : n.get(part);
            }
            if (n == null || !n.isValueNode() || n.isNull() || n.asText().isBlank()) {
                continue;
            }
            String raw = n.asText();
            boolean literal = !ONLY_REFERENCES.matcher(raw.strip()).matches();
            if (key.matches(".*[.-]ur[il]")) { // broker.uri, database.url, broker.redis-url: secret only with a password
                literal = raw.matches("(?s).*://[^/@${}]*:[^/@${}]+@.*") || raw.matches("(?s).*[?&]password=[^&$]+.*");
            }
            if (literal) {
                throw new IllegalArgumentException("config " + file + ": " + key
                        + ": a secret is written in a file that group or others can read; write ${VARIABLE} and set it"
                        + " in the service environment, or chmod 600 " + file);
            }
        }
    }
}
