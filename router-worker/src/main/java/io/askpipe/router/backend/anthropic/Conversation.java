package io.askpipe.router.backend.anthropic;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * OpenAI's messages as Anthropic's Messages API takes them: the system and developer messages,
 * wherever they stand, joined in order into {@code system}; the others as user and assistant turns
 * of content blocks ({@code text}, {@code image}, {@code tool_use}, {@code tool_result}), with
 * consecutive turns of one role merged into one, as Anthropic requires. A tool message is a {@code
 * tool_result} block of a user turn. Immutable once made.
 */
final class Conversation {
    /** Between two system or developer messages in {@code system}. */
    static final String SYSTEM_SEPARATOR = "\n\n";

    /** The image types Anthropic takes inline. */
    private static final Set<String> MEDIA_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A turn being built: its role and its blocks. */
    private record Turn(String role, ArrayNode blocks) {}

    private final List<String> system = new ArrayList<>();
    private final List<Turn> turns = new ArrayList<>();

    private Conversation() {}

    /**
     * The conversation of {@code messages}.
     *
     * @throws UnsupportedField naming the first part of a message that Anthropic cannot take
     */
    static Conversation of(List<ChatMessage> messages) throws UnsupportedField {
        Conversation conversation = new Conversation();
        for (int i = 0; i < messages.size(); i++) {
            conversation.add(messages.get(i), "/messages/" + i);
        }
        if (conversation.turns.isEmpty()) {
            throw new UnsupportedField(
                    "/messages", "Anthropic needs a user or assistant message besides the system and developer ones");
        }
        return conversation;
    }

    /** The system and developer messages' text, joined in order; empty if there are none. */
    Optional<String> system() {
        return system.isEmpty() ? Optional.empty() : Optional.of(String.join(SYSTEM_SEPARATOR, system));
    }

    /**
     * The turns as the body's {@code messages}: a turn of one text block as a string, any other as
     * its array of blocks.
     */
    ArrayNode messages() {
        ArrayNode messages = NODES.arrayNode();
        for (Turn turn : turns) {
            ObjectNode message = messages.addObject().put("role", turn.role());
            JsonNode only = turn.blocks().path(0);
            if (turn.blocks().size() == 1 && only.path("type").asText().equals("text")) {
                message.set("content", only.get("text"));
            } else {
                message.set("content", turn.blocks().deepCopy());
            }
        }
        return messages;
    }

    private void add(ChatMessage message, String at) throws UnsupportedField {
        if (message.name() != null) {
            throw new UnsupportedField(at + "/name", "Anthropic's Messages API has no participant names");
        }
        switch (message.role()) {
            case SYSTEM, DEVELOPER -> system.add(systemText(message.content(), at + "/content"));
            case USER -> append("user", contentBlocks(message.content(), at + "/content", true));
            case ASSISTANT -> append("assistant", assistantBlocks(message, at));
            case TOOL -> append("user", toolResult(message, at));
        }
    }

    /** Adds {@code blocks} to the last turn if it is of {@code role}, else as a turn of their own. */
    private void append(String role, ArrayNode blocks) {
        // Anthropic refuses an empty text block: an assistant's "" beside its tool calls
        for (int i = blocks.size() - 1; i >= 0; i--) {
            JsonNode block = blocks.get(i);
            if (block.path("type").asText().equals("text")
                    && block.path("text").asText().isEmpty()) {
                blocks.remove(i);
            }
        }
        if (!turns.isEmpty() && turns.getLast().role().equals(role)) {
            turns.getLast().blocks().addAll(blocks);
        } else {
            turns.add(new Turn(role, blocks));
        }
    }

    private static String systemText(MessageContent content, String at) throws UnsupportedField {
        if (content instanceof MessageContent.Parts parts) {
            for (int j = 0; j < parts.parts().size(); j++) {
                if (!(parts.parts().get(j) instanceof ContentPart.Text)) {
                    throw new UnsupportedField(at + "/" + j, "a system prompt on Anthropic is text only");
                }
            }
        }
        return content == null ? "" : content.text();
    }

    /** The blocks of a user's or a tool's content: text, and images if {@code images} may be. */
    private static ArrayNode contentBlocks(MessageContent content, String at, boolean images) throws UnsupportedField {
        ArrayNode blocks = NODES.arrayNode();
        switch (content) {
            case null -> {}
            case MessageContent.Text text -> blocks.add(text(text.text()));
            case MessageContent.Parts parts -> {
                for (int j = 0; j < parts.parts().size(); j++) {
                    switch (parts.parts().get(j)) {
                        case ContentPart.Text text -> blocks.add(text(text.text()));
                        case ContentPart.Image image -> {
                            if (!images) {
                                throw new UnsupportedField(
                                        at + "/" + j, "an assistant turn on Anthropic holds no images");
                            }
                            blocks.add(image(image.imageUrl(), at + "/" + j + "/image_url"));
                        }
                    }
                }
            }
        }
        return blocks;
    }

    private static ArrayNode assistantBlocks(ChatMessage message, String at) throws UnsupportedField {
        ArrayNode blocks = contentBlocks(message.content(), at + "/content", false);
        if (message.refusal() != null) {
            // what the assistant said in that turn, as Anthropic has no refusal field
            blocks.add(text(message.refusal()));
        }
        List<ToolCall> calls = message.toolCalls() == null ? List.of() : message.toolCalls();
        for (int j = 0; j < calls.size(); j++) {
            ToolCall call = calls.get(j);
            blocks.addObject()
                    .put("type", "tool_use")
                    .put("id", call.id())
                    .put("name", call.function().name())
                    .set(
                            "input",
                            arguments(call.function().arguments(), at + "/tool_calls/" + j + "/function/arguments"));
        }
        return blocks;
    }

    private static ArrayNode toolResult(ChatMessage message, String at) throws UnsupportedField {
        if (message.toolCallId() == null) {
            throw new UnsupportedField(at + "/tool_call_id", "a tool message answers a tool call by its id");
        }
        ObjectNode result = NODES.objectNode().put("type", "tool_result").put("tool_use_id", message.toolCallId());
        if (message.content() instanceof MessageContent.Text text) {
            result.put("content", text.text());
        } else if (message.content() != null) {
            result.set("content", contentBlocks(message.content(), at + "/content", true));
        }
        return NODES.arrayNode().add(result);
    }

    private static ObjectNode text(String text) {
        return NODES.objectNode().put("type", "text").put("text", text);
    }

    /**
     * An image block: a {@code data:} URL inline as base64 with its media type, any other URL as
     * Anthropic's URL source. Anthropic chooses the resolution itself, so only OpenAI's {@code auto}
     * detail can be honoured.
     */
    private static ObjectNode image(ContentPart.ImageUrl image, String at) throws UnsupportedField {
        if (image.detail() != null && !image.detail().equals("auto")) {
            throw new UnsupportedField(
                    at + "/detail", "Anthropic has no image detail levels; leave detail out or auto");
        }
        ObjectNode block = NODES.objectNode().put("type", "image");
        ObjectNode source = block.putObject("source");
        String url = image.url();
        if (!url.regionMatches(true, 0, "data:", 0, 5)) {
            source.put("type", "url").put("url", url);
            return block;
        }
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma).toLowerCase(Locale.ROOT);
        String mediaType = header.endsWith(";base64") ? header.substring(0, header.length() - 7) : "";
        if (!MEDIA_TYPES.contains(mediaType)) {
            throw new UnsupportedField(
                    at + "/url", "Anthropic takes inline images as base64 data URLs of PNG, JPEG, GIF or WebP");
        }
        source.put("type", "base64").put("media_type", mediaType).put("data", url.substring(comma + 1));
        return block;
    }

    /** A tool call's arguments as Anthropic's {@code input}: the JSON object they spell. */
    private static JsonNode arguments(String arguments, String at) throws UnsupportedField {
        if (arguments.isBlank()) {
            return NODES.objectNode();
        }
        JsonNode input;
        try {
            input = Json.mapper().readTree(arguments);
        } catch (JacksonException e) {
            input = null;
        }
        if (input == null || !input.isObject()) {
            throw new UnsupportedField(at, "Anthropic takes a tool call's arguments as a JSON object");
        }
        return input;
    }
}
