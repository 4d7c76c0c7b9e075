package io.askpipe.schemas.completion;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.util.List;
import java.util.Objects;

/**
 * A succeeded ask as the exact {@code chat.completion} object OpenAI's chat completions API answers
 * a request that is not streamed with: {@code {id, object, created, model, choices: [{index, message,
 * finish_reason, logprobs}], usage, system_fingerprint}}. Serialized with the shared mapping
 * ({@link io.askpipe.schemas.Json}), it is what {@code GET /v1/ask/{id}/completion} and {@code POST
 * /v1/chat/completions} answer; {@link #of} is the one rendering of a result, used by both.
 *
 * @param id {@value #ID_PREFIX} and the request id
 * @param object always {@value #OBJECT}
 * @param created when the ask completed, in seconds since the epoch
 * @param model the model that answered (the backend's name when it did not say)
 * @param choices the one choice an ask has
 * @param usage the token counts, with their details when the backend reported them
 * @param systemFingerprint the vendor's fingerprint of its configuration; absent when not known
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatCompletion(
        String id,
        String object,
        long created,
        String model,
        List<Choice> choices,
        Usage usage,
        String systemFingerprint) {
    /** The {@code object} of every chat completion. */
    public static final String OBJECT = "chat.completion";
    /** What a completion's id starts with, as OpenAI's do; the request id follows. */
    public static final String ID_PREFIX = "chatcmpl-";

    public ChatCompletion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(usage, "usage");
        choices = List.copyOf(choices);
        if (!OBJECT.equals(object)) {
            throw new IllegalArgumentException("a chat completion's object is " + OBJECT + ", not " + object);
        }
    }

    /**
     * The chat completion of the succeeded {@code result}. Its message is the result's assistant
     * message, or, from a backend that gave only text, a message of the answer. Why the model
     * stopped is the result's finish reason; when the backend did not say, {@code tool_calls} for a
     * message that calls tools and {@code stop} otherwise, since OpenAI's object always has one.
     *
     * @throws IllegalArgumentException if the ask did not succeed: a failure has no completion
     */
    public static ChatCompletion of(AskResult result) {
        if (result.status() != AskStatus.SUCCEEDED) {
            throw new IllegalArgumentException("only a succeeded ask has a completion, not a " + result.status());
        }
        Message message = result.message() == null ? Message.text(result.answer()) : Message.of(result.message());
        FinishReason finishReason = result.finishReason() != null
                ? result.finishReason()
                : message.toolCalls() == null ? FinishReason.STOP : FinishReason.TOOL_CALLS;
        return new ChatCompletion(
                ID_PREFIX + result.reqId(),
                OBJECT,
                result.completedAt().getEpochSecond(),
                result.model() != null ? result.model() : result.backend(),
                List.of(new Choice(0, message, finishReason)),
                result.usage(),
                result.systemFingerprint());
    }

    /**
     * The one choice of a completion; {@code logprobs} is always {@code null}, as askpipe returns
     * none.
     *
     * @param index always 0
     * @param message the assistant's message
     * @param finishReason why the model stopped
     */
    public record Choice(int index, Message message, FinishReason finishReason) {
        public Choice {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(finishReason, "finishReason");
        }

        /** Always {@code null}: log probabilities are not returned. */
        @JsonProperty("logprobs")
        @JsonInclude(JsonInclude.Include.ALWAYS)
        public Object logprobs() {
            return null;
        }
    }

    /**
     * The assistant's message as OpenAI writes it in a completion: {@code content} and {@code
     * refusal} are always there, {@code null} when the model gave none; {@code tool_calls} only
     * when it called tools.
     *
     * @param role always {@code assistant}
     * @param content the text of the answer, or {@code null} (a message that only calls tools)
     * @param refusal why the model refused, or {@code null}
     * @param toolCalls the tools the model called, or {@code null} when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Message(
            Role role,
            @JsonInclude(JsonInclude.Include.ALWAYS) String content,
            @JsonInclude(JsonInclude.Include.ALWAYS) String refusal,
            List<ToolCall> toolCalls) {
        public Message {
            if (role != Role.ASSISTANT) {
                throw new IllegalArgumentException("a completion's message is the assistant's, not " + role);
            }
            toolCalls = toolCalls == null || toolCalls.isEmpty() ? null : List.copyOf(toolCalls);
        }

        /** The message of a backend that gave only {@code text}. */
        static Message text(String text) {
            return new Message(Role.ASSISTANT, text, null, null);
        }

        /** The assistant's {@code message}, its content as one text (parts joined). */
        static Message of(ChatMessage message) {
            return new Message(
                    Role.ASSISTANT,
                    message.content() == null ? null : message.text(),
                    message.refusal(),
                    message.toolCalls());
        }
    }
}
