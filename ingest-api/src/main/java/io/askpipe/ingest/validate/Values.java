package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one JSON value as the type a field needs, or refuses it with a problem that names its
 * pointer. A member that is absent or {@code null} is absent, as OpenAI reads it.
 */
final class Values {
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

    private Values() {}

    /** The member {@code name} of {@code object}, unless it is absent or {@code null}. */
    static Optional<JsonNode> member(JsonNode object, String name) {
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** The member {@code name} of {@code object} (found at {@code at}), refused if absent or {@code null}. */
    static JsonNode required(JsonNode object, String name, Pointer at) {
        return member(object, name).orElseThrow(() -> at.field(name).invalid("is required"));
    }

    /**
     * Refuses {@code object} (found at {@code at}) unless its {@code type} is {@code function}, the
     * only kind of tool every backend here can offer.
     */
    static void functionType(JsonNode object, Pointer at) {
        if (!string(required(object, "type", at), at.field("type")).equals("function")) {
            throw at.field("type").invalid("must be function: only function tools are carried");
        }
    }

    static String string(JsonNode node, Pointer at) {
        if (!node.isTextual()) {
            throw at.invalid("must be a string");
        }
        return node.textValue();
    }

    /** A string that is neither empty nor only white space. */
    static String nonBlank(JsonNode node, Pointer at) {
        String text = string(node, at);
        if (text.isBlank()) {
            throw at.invalid("must not be blank");
        }
        return text;
    }

    /** A string that is not empty (white space counts). */
    static String nonEmpty(JsonNode node, Pointer at) {
        String text = string(node, at);
        if (text.isEmpty()) {
            throw at.invalid("must not be empty");
        }
        return text;
    }

    /** Refuses {@code text} if it holds a control character other than tab and line breaks. */
    static String withoutControlCharacters(String text, Pointer at) {
        if (CONTROL.matcher(text).find()) {
            throw at.invalid("must not contain control characters other than tab and line breaks");
        }
        return text;
    }

    static boolean bool(JsonNode node, Pointer at) {
        if (!node.isBoolean()) {
            throw at.invalid("must be true or false");
        }
        return node.booleanValue();
    }

    /** A number from {@code min} to {@code max}, both included. */
    static double number(JsonNode node, Pointer at, double min, double max) {
        if (!node.isNumber()) {
            throw at.invalid("must be a number");
        }
        double value = node.doubleValue();
        if (!(value >= min && value <= max)) {
            throw at.invalid("must be from " + plain(min) + " to " + plain(max));
        }
        return value;
    }

    /** A whole number from {@code min} to {@code max}, both included. */
    static long integer(JsonNode node, Pointer at, long min, long max) {
        if (!node.isNumber() || !node.canConvertToExactIntegral() || !node.canConvertToLong()) {
            throw at.invalid("must be a whole number");
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw at.invalid(
                    max == Long.MAX_VALUE || max == Integer.MAX_VALUE
                            ? "must be at least " + min
                            : "must be from " + min + " to " + max);
        }
        return value;
    }

    static ObjectNode object(JsonNode node, Pointer at) {
        if (!node.isObject()) {
            throw at.invalid("must be an object");
        }
        return (ObjectNode) node;
    }

    static ArrayNode array(JsonNode node, Pointer at) {
        if (!node.isArray()) {
            throw at.invalid("must be an array");
        }
        return (ArrayNode) node;
    }

    /** Refuses every member of {@code object} that is not one of {@code known}. */
    static void onlyMembers(JsonNode object, Pointer at, Set<String> known) {
        object.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw at.field(name).invalid("is not a field here (known: " + String.join(", ", sorted(known)) + ")");
            }
        });
    }

    private static List<String> sorted(Set<String> names) {
        return names.stream().sorted().toList();
    }

    private static String plain(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }
}
