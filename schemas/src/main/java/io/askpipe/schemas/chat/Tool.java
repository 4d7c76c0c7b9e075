package io.askpipe.schemas.chat;

import java.util.Objects;

/**
 * A tool the model may call: {@code {type: "function", function: {name, description, parameters,
 * strict}}}, the only kind of tool every backend here can offer.
 *
 * @param type always {@value ToolCall#FUNCTION}
 * @param function the function
 */
public record Tool(String type, FunctionDefinition function) {
    public Tool {
        Objects.requireNonNull(function, "function");
        if (!ToolCall.FUNCTION.equals(type)) {
            throw new IllegalArgumentException("a tool is of type function, not " + type);
        }
    }

    /** The function tool {@code function}. */
    public static Tool function(FunctionDefinition function) {
        return new Tool(ToolCall.FUNCTION, function);
    }
}
