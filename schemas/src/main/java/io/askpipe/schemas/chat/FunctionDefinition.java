package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A function a model may call.
 *
 * @param name its name: letters, digits, {@code _} and {@code -}, at most 64
 * @param description what it does, for the model; {@code null} if not given
 * @param parameters the JSON Schema of its arguments, kept as the client wrote it; {@code null} for a
 *     function without parameters
 * @param strict whether the model must follow the schema exactly; {@code null} if not given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FunctionDefinition(String name, String description, JsonNode parameters, Boolean strict) {
    public FunctionDefinition {
        Objects.requireNonNull(name, "name");
    }
}
