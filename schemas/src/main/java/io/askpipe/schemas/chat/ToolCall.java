package io.askpipe.schemas.chat;

import java.util.Objects;

/**
 * A call of a tool an assistant message makes: {@code {id, type: "function", function: {name,
 * arguments}}}. A later {@link Role#TOOL} message answers it by its id.
 *
 * @param id the call's id, quoted by the tool message that answers it
 * @param type always {@value #FUNCTION}
 * @param function the function called and its arguments
 */
public record ToolCall(String id, String type, FunctionCall function) {
    /** The only type of tool call there is. */
    public static final String FUNCTION = "function";

    public ToolCall {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(function, "function");
        if (!FUNCTION.equals(type)) {
            throw new IllegalArgumentException("a tool call is of type function, not " + type);
        }
    }

    /** The call {@code id} of function {@code name} with {@code arguments} (a JSON text). */
    public static ToolCall function(String id, String name, String arguments) {
        return new ToolCall(id, FUNCTION, new FunctionCall(name, arguments));
    }
}
