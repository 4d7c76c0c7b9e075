package io.askpipe.router.backend.llama;

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
 * Reads Ollama's answer to {@code /api/chat} into a completed outcome: {@code message.content} and
 * its {@code tool_calls} (their arguments, an object in Ollama's API, become the JSON text OpenAI's
 * carry; a call without an id gets one made from the ask's id and its place), {@code done_reason}
 * as the finish reason ({@code length} is {@code length}, an answer that calls tools is {@code
 * tool_calls}, anything else {@code stop}), and {@code prompt_eval_count}/{@code eval_count} as
 * usage. The model's {@code thinking} is not part of the answer and is left out.
 */
final class LlamaAnswer {
    private LlamaAnswer() {}

    /**
     * The outcome {@code response} describes.
     *
     * @param requestedModel the model asked for, if the response names none
     * @param requestId the ask's id, from which ids are made for tool calls that come without one
     * @throws MalformedAnswer if the response holds neither content nor tool calls
     */
    static BackendOutcome.Completed read(JsonNode response, String requestedModel, String requestId)
            throws MalformedAnswer {
        JsonNode message = response.path("message");
        List<ToolCall> toolCalls = toolCalls(message.path("tool_calls"), requestId);
        JsonNode content = message.path("content");
        if (!content.isTextual() && toolCalls.isEmpty()) {
            throw new MalformedAnswer("message.content");
        }
        // Ollama writes "" beside tool calls where OpenAI writes no content
        String text =
                content.isTextual() && !(content.asText().isEmpty() && !toolCalls.isEmpty()) ? content.asText() : null;
        ChatMessage answer = new ChatMessage(
                Role.ASSISTANT, text == null ? null : MessageContent.of(text), null, toolCalls, null, null);
        // Ollama leaves prompt_eval_count out when the prompt was cached
        Usage usage = UpstreamHttp.usage(
                UpstreamHttp.tokens(response, "prompt_eval_count"), UpstreamHttp.tokens(response, "eval_count"));
        return new BackendOutcome.Completed(
                UpstreamHttp.answeringModel(response, requestedModel),
                answer,
                finishReason(response.path("done_reason").asText(""), !toolCalls.isEmpty()),
                usage,
                null);
    }

    private static List<ToolCall> toolCalls(JsonNode calls, String requestId) throws MalformedAnswer {
        if (!calls.isArray()) {
            return List.of();
        }
        List<ToolCall> read = new ArrayList<>(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            JsonNode name = call.path("function").path("name");
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new MalformedAnswer("message.tool_calls[" + i + "].function.name");
            }
            JsonNode id = call.path("id");
            read.add(ToolCall.function(
                    id.isTextual() && !id.asText().isBlank() ? id.asText() : callId(requestId, i),
                    name.asText(),
                    arguments(call.path("function").path("arguments"))));
        }
        return read;
    }

    /** The arguments as a JSON text: Ollama's object written out, or a text as it came. */
    private static String arguments(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.asText();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "{}" : arguments.toString();
    }

    /** An id for the {@code index}th call of an answer to ask {@code requestId}: the same on every redelivery. */
    static String callId(String requestId, int index) {
        return "call_" + requestId.replaceAll("[^A-Za-z0-9]", "") + "_" + index;
    }

    private static FinishReason finishReason(String doneReason, boolean calledTools) {
        if (doneReason.equals("length")) {
            return FinishReason.LENGTH;
        }
        return calledTools ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }
}
