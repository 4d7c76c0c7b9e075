package io.askpipe.schemas.chat;

import java.util.Objects;

/**
 * The function a tool call invokes.
 *
 * @param name the function's name, one of the request's tools
 * @param arguments the arguments as a JSON text, exactly as the model wrote them (it may not parse)
 */
public record FunctionCall(String name, String arguments) {
    public FunctionCall {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(arguments, "arguments");
    }
}
