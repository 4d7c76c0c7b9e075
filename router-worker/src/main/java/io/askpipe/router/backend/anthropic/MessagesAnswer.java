package io.askpipe.router.backend.anthropic;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UpstreamHttp;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Messages API answer (a {@code message} object) as the assistant's reply, in OpenAI's
 * terms:
 *
 * <ul>
 *   <li>the {@code text} blocks, joined, are its text; each {@code tool_use} block is a tool call
 *       with its id, name and {@code input} written as the JSON text of the arguments; other blocks
 *       (thinking) are not part of the answer;
 *   <li>{@code stop_reason}: {@code end_turn}, {@code stop_sequence} and {@code pause_turn} are
 *       {@code stop}, {@code max_tokens} and {@code model_context_window_exceeded} are {@code
 *       length}, {@code tool_use} is {@code tool_calls}, {@code refusal} is {@code content_filter}
 *       (with {@code stop_details.explanation} as the message's refusal); one this version does not
 *       know is {@code tool_calls} when the answer calls tools and {@code stop} otherwise;
 *   <li>usage: Anthropic counts the prompt tokens read from and written to its cache apart from
 *       {@code input_tokens}, OpenAI counts them in: the prompt tokens are the three together, of
 *       which {@code cache_read_input_tokens} are the cached ones; {@code
 *       output_tokens_details.thinking_tokens} are the reasoning tokens.
 * </ul>
 */
final class MessagesAnswer {
    private MessagesAnswer() {}

    /**
     * The reply in {@code response}, by the model it names, else by {@code requestedModel}.
     *
     * @throws UpstreamHttp.MalformedAnswer if it holds no content blocks, or a block lacks what its
     *     type has
     */
    static BackendOutcome.Completed read(JsonNode response, String requestedModel) throws UpstreamHttp.MalformedAnswer {
        JsonNode content = response.path("content");
        if (!content.isArray()) {
            throw new UpstreamHttp.MalformedAnswer("content");
        }
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (int i = 0; i < content.size(); i++) {
            JsonNode block = content.get(i);
            switch (block.path("type").asText()) {
                case "text" -> text.append(textual(block, "text", "content[" + i + "].text"));
                case "tool_use" ->
                    calls.add(ToolCall.function(
                            textual(block, "id", "content[" + i + "].id"),
                            textual(block, "name", "content[" + i + "].name"),
                            arguments(block.path("input"))));
                default -> {} // thinking and redacted thinking: how the model got there, not the answer
            }
        }
        String stopReason = response.path("stop_reason").asText("");
        FinishReason finishReason = finishReason(stopReason, !calls.isEmpty());
        JsonNode explanation = response.path("stop_details").path("explanation");
        String refusal = stopReason.equals("refusal") && explanation.isTextual() ? explanation.asText() : null;
        MessageContent answer = text.isEmpty() && !calls.isEmpty() ? null : MessageContent.of(text.toString());
        JsonNode model = response.path("model");
        return new BackendOutcome.Completed(
                model.isTextual() && !model.asText().isBlank() ? model.asText() : requestedModel,
                new ChatMessage(Role.ASSISTANT, answer, null, calls, null, refusal),
                finishReason,
                usage(response.path("usage")),
                null);
    }

    static FinishReason finishReason(String stopReason, boolean callsTools) {
        return switch (stopReason) {
            case "end_turn", "stop_sequence", "pause_turn" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> callsTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
        };
    }

    private static Usage usage(JsonNode usage) {
        int input = UpstreamHttp.tokens(usage, "input_tokens");
        int cacheRead = UpstreamHttp.tokens(usage, "cache_read_input_tokens");
        int cacheWrite = UpstreamHttp.tokens(usage, "cache_creation_input_tokens");
        int prompt = (int) Math.min(Integer.MAX_VALUE, (long) input + cacheRead + cacheWrite);
        Usage tokens = UpstreamHttp.usage(prompt, UpstreamHttp.tokens(usage, "output_tokens"));
        if (usage.path("cache_read_input_tokens").canConvertToInt()) {
            tokens = tokens.withCachedTokens(cacheRead);
        }
        JsonNode details = usage.path("output_tokens_details");
        if (details.path("thinking_tokens").canConvertToInt()) {
            tokens = tokens.withReasoningTokens(UpstreamHttp.tokens(details, "thinking_tokens"));
        }
        return tokens;
    }

    private static String textual(JsonNode block, String field, String where) throws UpstreamHttp.MalformedAnswer {
        JsonNode value = block.path(field);
        if (!value.isTextual()) {
            throw new UpstreamHttp.MalformedAnswer(where);
        }
        return value.asText();
    }

    /** A tool call's {@code input} as OpenAI's {@code arguments}: its JSON text ({@code {}} if none). */
    private static String arguments(JsonNode input) {
        if (input.isMissingNode() || input.isNull()) {
            return "{}";
        }
        try {
            return Json.mapper().writeValueAsString(input);
        } catch (JacksonException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
