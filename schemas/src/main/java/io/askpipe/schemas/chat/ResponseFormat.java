package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The form the answer must take: {@code {"type": "text"}}, {@code {"type": "json_object"}} (any
 * JSON object), or {@code {"type": "json_schema", "json_schema": {name, description, schema,
 * strict}}} (JSON that matches the schema).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ResponseFormat.Text.class, name = "text"),
    @JsonSubTypes.Type(value = ResponseFormat.JsonObject.class, name = "json_object"),
    @JsonSubTypes.Type(value = ResponseFormat.JsonSchema.class, name = "json_schema")
})
public sealed interface ResponseFormat
        permits ResponseFormat.Text, ResponseFormat.JsonObject, ResponseFormat.JsonSchema {
    /** Plain text, the default. */
    ResponseFormat TEXT = new Text();

    /** Any JSON object. */
    ResponseFormat JSON_OBJECT = new JsonObject();

    /** Plain text. */
    record Text() implements ResponseFormat {}

    /** A JSON object. */
    record JsonObject() implements ResponseFormat {}

    /** JSON that matches {@code jsonSchema}. */
    record JsonSchema(Schema jsonSchema) implements ResponseFormat {
        public JsonSchema {
            Objects.requireNonNull(jsonSchema, "jsonSchema");
        }
    }

    /**
     * The schema an answer must match.
     *
     * @param name its name: letters, digits, {@code _} and {@code -}, at most 64
     * @param description what the answer is for; {@code null} if not given
     * @param schema the JSON Schema, kept as the client wrote it
     * @param strict whether the backend must follow it exactly; {@code null} if not given
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Schema(String name, String description, JsonNode schema, Boolean strict) {
        public Schema {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(schema, "schema");
        }
    }
}
