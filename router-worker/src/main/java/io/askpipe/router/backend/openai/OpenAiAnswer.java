package io.askpipe.router.backend.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.UpstreamHttp;
import io.askpipe.router.backend.http.UpstreamHttp.MalformedAnswer;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI {@code chat.completion} into a completed outcome: the first choice's message
 * (content, tool calls, refusal) and {@code finish_reason}, the usage with its cached and reasoning
 * token details, {@code system_fingerprint} and the model that answered. A choice whose message
 * has neither content nor tool calls nor a refusal is no answer.
 */
final class OpenAiAnswer {
    private static final String MESSAGE = "choices[0].message";

    private OpenAiAnswer() {}

    /**
     * The outcome {@code response} describes.
     *
     * @param requestedModel the model asked for, if the response names none
     * @throws MalformedAnswer if the response holds no readable choice
     */
    static BackendOutcome.Completed read(JsonNode response, String requestedModel) throws MalformedAnswer {
        JsonNode choice = response.path("choices").path(0);
        JsonNode message = choice.path("message");
        String content = content(message.path("content"));
        List<ToolCall> toolCalls = toolCalls(message.path("tool_calls"));
        JsonNode refusalNode = message.path("refusal");
        String refusal = refusalNode.isTextual() ? refusalNode.asText() : null;
        if (content == null && toolCalls.isEmpty() && refusal == null) {
            throw new MalformedAnswer(MESSAGE + ".content, tool_calls or refusal");
        }
        ChatMessage answer = new ChatMessage(
                Role.ASSISTANT, content == null ? null : MessageContent.of(content), null, toolCalls, null, refusal);
        JsonNode fingerprint = response.path("system_fingerprint");
        return new BackendOutcome.Completed(
                UpstreamHttp.answeringModel(response, requestedModel),
                answer,
                finishReason(choice.path("finish_reason"), !toolCalls.isEmpty()),
                usage(response.path("usage")),
                fingerprint.isTextual() && !fingerprint.asText().isBlank() ? fingerprint.asText() : null);
    }

    /** The text of {@code content}: a string, or (as some compatible servers write it) text parts. */
    private static String content(JsonNode content) throws MalformedAnswer {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isMissingNode() || content.isNull()) {
            return null;
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (part.path("text").isTextual()) {
                    text.append(part.path("text").asText());
                }
            }
            return text.toString();
        }
        throw new MalformedAnswer(MESSAGE + ".content as a string");
    }

    private static List<ToolCall> toolCalls(JsonNode calls) throws MalformedAnswer {
        if (!calls.isArray()) {
            return List.of();
        }
        List<ToolCall> read = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String at = MESSAGE + ".tool_calls[" + i + "]";
            JsonNode id = call.path("id");
            JsonNode name = call.path("function").path("name");
            if (!id.isTextual() || id.asText().isBlank()) {
                throw new MalformedAnswer(at + ".id");
            }
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new MalformedAnswer(at + ".function.name");
            }
            read.add(ToolCall.function(
                    id.asText(), name.asText(), arguments(call.path("function").path("arguments"))));
        }
        return read;
    }

    /** The arguments as a JSON text, as OpenAI writes them; an object (some servers) as its text. */
    private static String arguments(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.asText();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "{}" : arguments.toString();
    }

    /** {@code finish_reason}; the deprecated {@code function_call} is a tool call; absent, as the message says. */
    private static FinishReason finishReason(JsonNode reason, boolean calledTools) {
        if (reason.isTextual()) {
            if (reason.asText().equals("function_call")) {
                return FinishReason.TOOL_CALLS;
            }
            var known = FinishReason.fromWireName(reason.asText());
            if (known.isPresent()) {
                return known.get();
            }
        }
        return calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }

    private static Usage usage(JsonNode usage) {
        int prompt = UpstreamHttp.tokens(usage, "prompt_tokens");
        int completion = UpstreamHttp.tokens(usage, "completion_tokens");
        Usage tokens = usage.path("total_tokens").canConvertToInt()
                ? new Usage(prompt, completion, UpstreamHttp.tokens(usage, "total_tokens"))
                : UpstreamHttp.usage(prompt, completion);
        JsonNode promptDetails = usage.path("prompt_tokens_details");
        if (promptDetails.path("cached_tokens").canConvertToInt()) {
            tokens = tokens.withCachedTokens(UpstreamHttp.tokens(promptDetails, "cached_tokens"));
        }
        JsonNode completionDetails = usage.path("completion_tokens_details");
        if (completionDetails.path("reasoning_tokens").canConvertToInt()) {
            tokens = tokens.withReasoningTokens(UpstreamHttp.tokens(completionDetails, "reasoning_tokens"));
        }
        return tokens;
    }
}
