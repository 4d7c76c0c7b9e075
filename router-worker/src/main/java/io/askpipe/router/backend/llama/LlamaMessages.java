package io.askpipe.router.backend.llama;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ask's messages as Ollama's {@code /api/chat} takes them: the content as one string (the text
 * parts joined by line breaks), images inline as base64 in {@code images}, an assistant's tool
 * calls with their arguments as a JSON object, and a tool message with the {@code tool_name} of the
 * call it answers. A {@code developer} message is a {@code system} message, Ollama's only kind of
 * instructions; an assistant's refusal is what it said. What Ollama cannot carry (a participant's
 * {@code name}, an image by URL, an image {@code detail}) is refused, naming the field.
 */
final class LlamaMessages {
    private static final String DATA_URL_PREFIX = "data:";
    private static final String BASE64_MARKER = ";base64,";
    /** OpenAI's default image detail, which has no effect, and so the only one Ollama honours. */
    private static final String DEFAULT_DETAIL = "auto";

    private LlamaMessages() {}

    /**
     * The Ollama messages of {@code messages}.
     *
     * @throws UnsupportedField naming the first field of a message that Ollama cannot carry
     */
    static ArrayNode of(List<ChatMessage> messages) throws UnsupportedField {
        ArrayNode array = Json.mapper().createArrayNode();
        Map<String, String> functionsByCallId = new HashMap<>();
        for (int i = 0; i < messages.size(); i++) {
            array.add(message(messages.get(i), "/messages/" + i, functionsByCallId));
        }
        return array;
    }

    private static ObjectNode message(ChatMessage message, String at, Map<String, String> functionsByCallId)
            throws UnsupportedField {
        if (message.name() != null) {
            throw new UnsupportedField(
                    at + "/name", "Ollama messages carry no participant name; put it in the content instead");
        }
        ObjectNode node = Json.mapper().createObjectNode();
        node.put(
                "role",
                message.role() == Role.DEVELOPER ? "system" : message.role().wireName());
        node.put("content", content(message));
        if (message.content() instanceof MessageContent.Parts parts) {
            ArrayNode images = images(parts.parts(), at + "/content");
            if (!images.isEmpty()) {
                node.set("images", images);
            }
        }
        if (message.toolCalls() != null) {
            ArrayNode calls = node.putArray("tool_calls");
            for (int j = 0; j < message.toolCalls().size(); j++) {
                ToolCall call = message.toolCalls().get(j);
                functionsByCallId.put(call.id(), call.function().name());
                calls.add(toolCall(call, at + "/tool_calls/" + j));
            }
        }
        if (message.role() == Role.TOOL) {
            Optional.ofNullable(functionsByCallId.get(message.toolCallId()))
                    .ifPresent(function -> node.put("tool_name", function));
            node.put("tool_call_id", message.toolCallId());
        }
        return node;
    }

    /** The text of the message; an assistant's refusal is part of what it said. */
    private static String content(ChatMessage message) {
        String text = message.text();
        if (message.refusal() == null) {
            return text;
        }
        return text.isEmpty() ? message.refusal() : text + "\n" + message.refusal();
    }

    private static ArrayNode images(List<ContentPart> parts, String at) throws UnsupportedField {
        ArrayNode images = Json.mapper().createArrayNode();
        for (int j = 0; j < parts.size(); j++) {
            if (parts.get(j) instanceof ContentPart.Image image) {
                images.add(base64(image.imageUrl(), at + "/" + j + "/image_url"));
            }
        }
        return images;
    }

    /** The base64 data of an inline image. */
    private static String base64(ContentPart.ImageUrl image, String at) throws UnsupportedField {
        if (image.detail() != null && !image.detail().equals(DEFAULT_DETAIL)) {
            throw new UnsupportedField(at + "/detail", "Ollama has no image detail setting; leave it out or send auto");
        }
        String url = image.url();
        int marker = url.indexOf(BASE64_MARKER);
        if (!url.startsWith(DATA_URL_PREFIX) || marker < 0) {
            throw new UnsupportedField(
                    at + "/url",
                    "Ollama takes images inline, and askpipe does not fetch images for it: send the image as a"
                            + " data:image/...;base64, URL");
        }
        return url.substring(marker + BASE64_MARKER.length());
    }

    /** A tool call as Ollama writes it: the arguments as a JSON object rather than its text. */
    private static ObjectNode toolCall(ToolCall call, String at) throws UnsupportedField {
        JsonNode arguments;
        try {
            arguments = Json.mapper().readTree(call.function().arguments());
        } catch (JacksonException e) {
            arguments = null;
        }
        if (arguments == null || !arguments.isObject()) {
            throw new UnsupportedField(
                    at + "/function/arguments",
                    "Ollama takes a tool call's arguments as a JSON object; these are not one");
        }
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("id", call.id());
        node.putObject("function").put("name", call.function().name()).set("arguments", arguments);
        return node;
    }
}
