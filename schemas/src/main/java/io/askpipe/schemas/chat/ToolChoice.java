package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether and which tool the model must call: {@code "none"}, {@code "auto"}, {@code "required"}, or
 * {@code {"type": "function", "function": {"name": ...}}} for one function.
 */
@JsonDeserialize(using = ToolChoice.Reader.class)
public sealed interface ToolChoice permits ToolChoice.Mode, ToolChoice.Function {

    /** Calling no tool, any or none as the model sees fit, or at least one. */
    enum Mode implements ToolChoice {
        NONE,
        AUTO,
        REQUIRED;

        /** The lower-case wire name. */
        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The mode named {@code wireName}, if there is one. */
        public static Optional<Mode> fromWireName(String wireName) {
            return Arrays.stream(values())
                    .filter(mode -> mode.wireName().equals(wireName))
                    .findFirst();
        }
    }

    /** Calling the function {@code name}, which is one of the request's tools. */
    record Function(String name) implements ToolChoice {
        public Function {
            Objects.requireNonNull(name, "name");
        }

        @JsonValue
        Map<String, Object> wire() {
            return Map.of("type", ToolCall.FUNCTION, "function", Map.of("name", name));
        }
    }

    /** Reads a string as a {@link Mode} and an object as a {@link Function}. */
    final class Reader extends StdDeserializer<ToolChoice> {
        Reader() {
            super(ToolChoice.class);
        }

        @Override
        public ToolChoice deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode node = context.readTree(parser);
            if (node.isTextual()) {
                return Mode.fromWireName(node.textValue())
                        .orElseThrow(() -> new IllegalArgumentException("no tool choice " + node.textValue()));
            }
            JsonNode name = node.path("function").path("name");
            if (node.path("type").asText().equals(ToolCall.FUNCTION) && name.isTextual()) {
                return new Function(name.textValue());
            }
            throw new IllegalArgumentException("a tool choice is none, auto, required or a function: " + node);
        }
    }
}
