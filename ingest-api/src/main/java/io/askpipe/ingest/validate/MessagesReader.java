package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code messages} as OpenAI's chat completions define them: a role each, content as a string
 * or as parts, the fields each role may carry, and tool messages that answer an earlier assistant's
 * tool call. Each message's text spends from the ask's {@link TextBudget}. Not thread-safe: one
 * per submitted body.
 */
final class MessagesReader {
    static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    /** OpenAI's rule for a participant's name: no white space nor any of {@code <|\/>}. */
    private static final Pattern PARTICIPANT = Pattern.compile("[^\\s<|\\\\/>]{1,64}");

    private static final Set<String> MESSAGE_FIELDS =
            Set.of("role", "content", "name", "tool_calls", "tool_call_id", "refusal");
    private static final Set<String> TOOL_CALL_FIELDS = Set.of("id", "type", "function");
    private static final Set<String> CALLED_FUNCTION_FIELDS = Set.of("name", "arguments");
    private static final String ROLES = "system, developer, user, assistant or tool";

    private final TextBudget budget;
    private final ImageUrls images = new ImageUrls();
    /** The ids of the tool calls of the assistant messages read so far. */
    private final Set<String> toolCallIds = new HashSet<>();

    MessagesReader(TextBudget budget) {
        this.budget = budget;
    }

    List<ChatMessage> read(JsonNode node, Pointer at) {
        ArrayNode array = Values.array(node, at);
        if (array.isEmpty()) {
            throw at.invalid("must hold at least one message");
        }
        List<ChatMessage> messages = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            messages.add(message(array.get(i), at.index(i)));
        }
        return messages;
    }

    private ChatMessage message(JsonNode node, Pointer at) {
        Values.object(node, at);
        Values.onlyMembers(node, at, MESSAGE_FIELDS);
        Role role = Values.member(node, "role")
                .map(value -> Role.fromWireName(Values.string(value, at.field("role")))
                        .orElseThrow(() -> at.field("role").invalid("must be " + ROLES)))
                .orElseThrow(() -> at.field("role").invalid("is required"));
        onlyFor(node, at, "tool_calls", role, Role.ASSISTANT);
        onlyFor(node, at, "refusal", role, Role.ASSISTANT);
        onlyFor(node, at, "tool_call_id", role, Role.TOOL);
        if (role == Role.TOOL && node.has("name")) {
            throw at.field("name").invalid("is not a field of a tool message");
        }
        String name = Values.member(node, "name")
                .map(value -> participant(value, at.field("name")))
                .orElse(null);
        List<ToolCall> toolCalls = Values.member(node, "tool_calls")
                .map(value -> toolCalls(value, at.field("tool_calls")))
                .orElse(null);
        String refusal = Values.member(node, "refusal")
                .map(value -> Values.nonBlank(value, at.field("refusal")))
                .orElse(null);
        String toolCallId = null;
        if (role == Role.TOOL) {
            Pointer idAt = at.field("tool_call_id");
            toolCallId = Values.nonBlank(Values.required(node, "tool_call_id", at), idAt);
            if (!toolCallIds.contains(toolCallId)) {
                throw idAt.invalid("must answer a tool call of an earlier assistant message");
            }
        }
        Optional<JsonNode> content = Values.member(node, "content");
        boolean callsOrRefuses = role == Role.ASSISTANT && (toolCalls != null || refusal != null);
        if (content.isEmpty() && !callsOrRefuses) {
            throw at.field("content")
                    .invalid(
                            role == Role.ASSISTANT
                                    ? "is required unless the message has tool_calls or a refusal"
                                    : "is required");
        }
        MessageContent read = content.map(
                        value -> content(value, at.field("content"), role, blankRefusal(role, callsOrRefuses)))
                .orElse(null);
        return new ChatMessage(role, read, name, toolCalls, toolCallId, refusal);
    }

    private static void onlyFor(JsonNode node, Pointer at, String field, Role role, Role allowed) {
        if (node.has(field) && role != allowed) {
            throw at.field(field).invalid("is only for " + allowed.wireName() + " messages");
        }
    }

    private static String participant(JsonNode node, Pointer at) {
        String name = Values.string(node, at);
        if (!PARTICIPANT.matcher(name).matches()) {
            throw at.invalid("must be 1-64 characters without white space or any of < | \\ / >");
        }
        return name;
    }

    /**
     * Why a message's text may not be blank, if it may not: a tool's answer may be empty, and so
     * may the text of an assistant message that calls tools or refuses; any other message's text
     * is what it says.
     */
    private static Optional<String> blankRefusal(Role role, boolean callsOrRefuses) {
        return switch (role) {
            case TOOL -> Optional.empty();
            case ASSISTANT ->
                callsOrRefuses
                        ? Optional.empty()
                        : Optional.of("must not be blank unless the message has tool_calls or a refusal");
            default -> Optional.of("must not be blank");
        };
    }

    /**
     * {@code text} (found at {@code at}), refused if it holds a control character, or with {@code
     * blankRefusal} if it is blank.
     */
    private static String text(String text, Pointer at, Optional<String> blankRefusal) {
        Values.withoutControlCharacters(text, at);
        if (text.isBlank()) {
            blankRefusal.ifPresent(detail -> {
                throw at.invalid(detail);
            });
        }
        return text;
    }

    private MessageContent content(JsonNode node, Pointer at, Role role, Optional<String> blankRefusal) {
        if (node.isTextual()) {
            String text = text(node.textValue(), at, blankRefusal);
            budget.spend(text, at);
            return MessageContent.of(text);
        }
        if (!node.isArray()) {
            throw at.invalid("must be a string or an array of parts");
        }
        if (node.isEmpty()) {
            throw at.invalid("must hold at least one part");
        }
        List<ContentPart> parts = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            parts.add(part(node.get(i), at.index(i), role, blankRefusal));
        }
        return new MessageContent.Parts(parts);
    }

    private ContentPart part(JsonNode node, Pointer at, Role role, Optional<String> blankRefusal) {
        Values.object(node, at);
        Pointer typeAt = at.field("type");
        String type = Values.string(Values.required(node, "type", at), typeAt);
        switch (type) {
            case "text" -> {
                Values.onlyMembers(node, at, Set.of("type", "text"));
                Pointer textAt = at.field("text");
                String text = text(Values.string(Values.required(node, "text", at), textAt), textAt, blankRefusal);
                budget.spend(text, textAt);
                return new ContentPart.Text(text);
            }
            case "image_url" -> {
                if (role != Role.USER) {
                    throw typeAt.invalid("image_url parts are only for user messages");
                }
                Values.onlyMembers(node, at, Set.of("type", "image_url"));
                Pointer imageAt = at.field("image_url");
                return new ContentPart.Image(images.read(Values.required(node, "image_url", at), imageAt));
            }
            default ->
                throw typeAt.invalid(
                        "must be text or image_url: other parts (input_audio, file, refusal) are not carried");
        }
    }

    private List<ToolCall> toolCalls(JsonNode node, Pointer at) {
        ArrayNode array = Values.array(node, at);
        if (array.isEmpty()) {
            throw at.invalid("must hold at least one tool call; leave it out for none");
        }
        List<ToolCall> calls = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            calls.add(toolCall(array.get(i), at.index(i)));
        }
        return calls;
    }

    private ToolCall toolCall(JsonNode node, Pointer at) {
        Values.object(node, at);
        Values.functionType(node, at);
        Values.onlyMembers(node, at, TOOL_CALL_FIELDS);
        Pointer idAt = at.field("id");
        String id = Values.nonBlank(Values.required(node, "id", at), idAt);
        Pointer functionAt = at.field("function");
        JsonNode function = Values.object(Values.required(node, "function", at), functionAt);
        Values.onlyMembers(function, functionAt, CALLED_FUNCTION_FIELDS);
        Pointer nameAt = functionAt.field("name");
        String name = Values.string(Values.required(function, "name", functionAt), nameAt);
        if (!FUNCTION_NAME.matcher(name).matches()) {
            throw nameAt.invalid("must be 1-64 letters, digits, _ or -");
        }
        Pointer argumentsAt = functionAt.field("arguments");
        JsonNode arguments = Values.required(function, "arguments", functionAt);
        if (!arguments.isTextual()) {
            throw argumentsAt.invalid("must be a string: the arguments as a JSON text");
        }
        budget.spend(arguments.textValue(), argumentsAt);
        toolCallIds.add(id);
        return ToolCall.function(id, name, arguments.textValue());
    }
}
