package io.askpipe.router.backend.dryrun;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A deterministic example value of a JSON Schema, for answers that must match one: an object with
 * its properties (every declared one near the top, only the required ones deeper down), an array
 * of one item (or {@code minItems}), a string that is the given text (or a sample of its {@code
 * format}, fitted to {@code minLength}/{@code maxLength}), a number at {@code minimum} or else 0,
 * {@code true} for a boolean, an enum's first value, a {@code const}'s value. It follows {@code
 * $ref}s within the schema, takes the first of {@code anyOf}/{@code oneOf} and merges the objects
 * of {@code allOf}; it does not follow {@code pattern}s. Holds no state.
 */
final class SchemaExample {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Below this depth, an object gets its optional properties too. */
    private static final int OPTIONAL_DEPTH = 4;
    /** Below this depth, the schema is followed; past it (a recursive schema) the value is null. */
    private static final int MAX_DEPTH = 32;

    private final JsonNode root;
    private final String text;

    private SchemaExample(JsonNode root, String text) {
        this.root = root;
        this.text = text;
    }

    /** An example of {@code schema} whose strings are {@code text}. */
    static JsonNode of(JsonNode schema, String text) {
        return new SchemaExample(schema, text).value(schema, 0);
    }

    private JsonNode value(JsonNode schema, int depth) {
        if (depth > MAX_DEPTH || schema == null || !schema.isObject()) {
            return NODES.nullNode();
        }
        JsonNode ref = schema.path("$ref");
        if (ref.isTextual() && ref.asText().startsWith("#")) {
            return value(root.at(ref.asText().substring(1)), depth + 1);
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        if (schema.path("enum").isArray() && !schema.path("enum").isEmpty()) {
            return schema.path("enum").get(0);
        }
        for (String alternatives : new String[] {"anyOf", "oneOf"}) {
            JsonNode options = schema.path(alternatives);
            if (options.isArray() && !options.isEmpty()) {
                return value(firstNotNull(options), depth + 1);
            }
        }
        if (schema.path("allOf").isArray() && !schema.path("allOf").isEmpty()) {
            return allOf(schema.path("allOf"), depth);
        }
        return switch (type(schema)) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, depth);
            case "integer" -> integer(number(schema, true));
            case "number" -> NODES.numberNode(number(schema, false));
            case "boolean" -> NODES.booleanNode(true);
            case "null" -> NODES.nullNode();
            default -> NODES.textNode(string(schema));
        };
    }

    /** The alternative to take: the first that is not just {@code null}. */
    private static JsonNode firstNotNull(JsonNode options) {
        for (JsonNode option : options) {
            if (!option.path("type").asText().equals("null")) {
                return option;
            }
        }
        return options.get(0);
    }

    /** The declared type (the first that is not {@code null} of a list), or one inferred from the keywords. */
    private static String type(JsonNode schema) {
        JsonNode type = schema.path("type");
        if (type.isTextual()) {
            return type.asText();
        }
        if (type.isArray() && !type.isEmpty()) {
            for (JsonNode each : type) {
                if (!each.asText().equals("null")) {
                    return each.asText();
                }
            }
            return "null";
        }
        if (schema.has("properties") || schema.has("required") || schema.has("additionalProperties")) {
            return "object";
        }
        if (schema.has("items") || schema.has("prefixItems")) {
            return "array";
        }
        return "string";
    }

    private ObjectNode object(JsonNode schema, int depth) {
        ObjectNode object = NODES.objectNode();
        Set<String> required = new LinkedHashSet<>();
        schema.path("required").forEach(name -> required.add(name.asText()));
        JsonNode properties = schema.path("properties");
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            if (depth < OPTIONAL_DEPTH || required.contains(property.getKey())) {
                object.set(property.getKey(), value(property.getValue(), depth + 1));
            }
        }
        for (String name : required) {
            if (!object.has(name)) {
                object.put(name, text); // required, but not declared: any value does
            }
        }
        return object;
    }

    private ArrayNode array(JsonNode schema, int depth) {
        ArrayNode array = NODES.arrayNode();
        JsonNode prefix = schema.path("prefixItems");
        if (prefix.isArray()) {
            prefix.forEach(item -> array.add(value(item, depth + 1)));
        }
        int size = Math.max(array.size(), Math.max(1, schema.path("minItems").asInt(0)));
        if (schema.path("maxItems").canConvertToInt()) {
            size = Math.min(size, schema.path("maxItems").asInt());
        }
        JsonNode items = schema.path("items");
        while (array.size() < size) {
            array.add(items.isObject() ? value(items, depth + 1) : NODES.textNode(text));
        }
        return array;
    }

    private JsonNode allOf(JsonNode parts, int depth) {
        Map<String, JsonNode> merged = new LinkedHashMap<>();
        for (JsonNode part : parts) {
            JsonNode value = value(part, depth + 1);
            if (!value.isObject()) {
                return value(parts.get(0), depth + 1);
            }
            value.properties().forEach(member -> merged.putIfAbsent(member.getKey(), member.getValue()));
        }
        ObjectNode object = NODES.objectNode();
        merged.forEach(object::set);
        return object;
    }

    private static JsonNode integer(double value) {
        long whole = (long) value;
        return whole == (int) whole ? NODES.numberNode((int) whole) : NODES.numberNode(whole);
    }

    /** The smallest value the bounds allow near 0. */
    private static double number(JsonNode schema, boolean integer) {
        double value = 0;
        if (schema.path("minimum").isNumber()) {
            value = Math.max(value, schema.path("minimum").asDouble());
        }
        if (schema.path("exclusiveMinimum").isNumber()) {
            value = Math.max(value, schema.path("exclusiveMinimum").asDouble() + 1);
        }
        if (schema.path("maximum").isNumber()) {
            value = Math.min(value, schema.path("maximum").asDouble());
        }
        if (schema.path("exclusiveMaximum").isNumber()) {
            value = Math.min(value, schema.path("exclusiveMaximum").asDouble() - 1);
        }
        return integer ? Math.ceil(value) : value;
    }

    private String string(JsonNode schema) {
        String value = switch (schema.path("format").asText("")) {
            case "date-time" -> "1970-01-01T00:00:00Z";
            case "date" -> "1970-01-01";
            case "time" -> "00:00:00Z";
            case "duration" -> "PT0S";
            case "email" -> "dryrun@example.com";
            case "hostname" -> "example.com";
            case "ipv4" -> "192.0.2.1";
            case "ipv6" -> "2001:db8::1";
            case "uri", "url" -> "https://example.com/dryrun";
            case "uuid" -> "00000000-0000-0000-0000-000000000000";
            default -> text;
        };
        // JSON Schema counts lengths in code points
        int length = value.codePointCount(0, value.length());
        int min = schema.path("minLength").asInt(0);
        if (length < min) {
            return value + "x".repeat(min - length);
        }
        int max = schema.path("maxLength").canConvertToInt()
                ? Math.max(0, schema.path("maxLength").asInt())
                : length;
        return length > max ? value.substring(0, value.offsetByCodePoints(0, max)) : value;
    }
}
