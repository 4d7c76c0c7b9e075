package io.askpipe.router.backend.dryrun;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolCall;
import io.askpipe.schemas.chat.ToolChoice;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A deterministic backend for development, tests, drills and benchmarks, offline, that honours the
 * shape an ask asks for: it answers after a configurable latency with an echo of the last user
 * message ({@code [dryrun] <text>}); with JSON when the ask's {@code response_format} asks for it
 * (for {@code json_object} an object holding the echo as {@code answer}, for {@code json_schema} an
 * example of the schema, {@link SchemaExample}); with one call of a tool when {@code tool_choice} is
 * {@code required} (the first tool) or names a function (arguments: an example of its parameters,
 * finish reason {@code tool_calls}); and cut off with finish reason {@code length} when the answer
 * has more tokens than {@code max_tokens} or {@code max_completion_tokens} allow. Tokens are
 * whitespace-separated words: of every message for the prompt, of the answer (or the tool call's
 * arguments) for the completion. Everything else of the ask has no effect on an echo.
 */
public final class DryrunBackend implements Backend {
    public static final String NAME = "dryrun";
    static final String DEFAULT_MODEL = "dryrun-echo";
    private static final String ECHO = "[dryrun] ";

    private final Duration latency;

    public DryrunBackend(Duration latency) {
        this.latency = latency;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        if (!latency.isZero()) {
            Thread.sleep(latency);
        }
        String model = call.model() == null ? DEFAULT_MODEL : call.model();
        ChatRequest chat = call.chat();
        String echo = ECHO + call.prompt();
        int promptTokens = promptTokens(chat);
        Optional<ToolCall> toolCall = forcedToolCall(chat, echo);
        if (toolCall.isPresent()) {
            return new BackendOutcome.Completed(
                    model,
                    ChatMessage.assistant(List.of(toolCall.get())),
                    FinishReason.TOOL_CALLS,
                    Usage.of(promptTokens, words(toolCall.get().function().arguments())),
                    null);
        }
        String answer = answer(chat.responseFormat(), echo);
        int answerTokens = words(answer);
        Optional<Integer> limit = call.maxTokens();
        if (limit.isPresent() && answerTokens > limit.get()) {
            return new BackendOutcome.Completed(
                    model,
                    ChatMessage.assistant(firstWords(answer, limit.get())),
                    FinishReason.LENGTH,
                    Usage.of(promptTokens, limit.get()),
                    null);
        }
        return new BackendOutcome.Completed(model, answer, Usage.of(promptTokens, answerTokens));
    }

    /** The answer's text: the echo, or JSON when the ask asks for JSON. */
    private static String answer(ResponseFormat format, String echo) {
        return switch (format) {
            case null -> echo;
            case ResponseFormat.Text text -> echo;
            case ResponseFormat.JsonObject json ->
                Json.mapper().createObjectNode().put("answer", echo).toString();
            case ResponseFormat.JsonSchema json ->
                SchemaExample.of(json.jsonSchema().schema(), echo).toString();
        };
    }

    /**
     * The tool call the ask's {@code tool_choice} demands, if it demands one: of the function it
     * names, or of the first tool when it is {@code required}. The call's id counts the messages, so
     * that each turn of a conversation calls under a new id.
     */
    private static Optional<ToolCall> forcedToolCall(ChatRequest chat, String echo) {
        if (chat.tools() == null) {
            return Optional.empty();
        }
        Optional<Tool> tool = switch (chat.toolChoice()) {
            case null -> Optional.empty();
            case ToolChoice.Mode mode ->
                mode == ToolChoice.Mode.REQUIRED ? Optional.of(chat.tools().getFirst()) : Optional.empty();
            case ToolChoice.Function function ->
                chat.tools().stream()
                        .filter(candidate -> candidate.function().name().equals(function.name()))
                        .findFirst();
        };
        return tool.map(chosen -> {
            JsonNode parameters = chosen.function().parameters();
            String arguments = parameters == null
                    ? "{}"
                    : SchemaExample.of(parameters, echo).toString();
            return ToolCall.function(
                    "call_dryrun_" + chat.messages().size(), chosen.function().name(), arguments);
        });
    }

    private static int promptTokens(ChatRequest chat) {
        int tokens = 0;
        for (ChatMessage message : chat.messages()) {
            tokens += words(message.text());
        }
        return tokens;
    }

    private static int words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? 0 : stripped.split("\\s+").length;
    }

    /** {@code text} up to the end of its {@code count}th word. */
    private static String firstWords(String text, int count) {
        int end = 0;
        int seen = 0;
        int length = text.length();
        while (seen < count && end < length) {
            while (end < length && Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            while (end < length && !Character.isWhitespace(text.charAt(end))) {
                end++;
            }
            seen++;
        }
        return text.substring(0, end).strip();
    }
}
