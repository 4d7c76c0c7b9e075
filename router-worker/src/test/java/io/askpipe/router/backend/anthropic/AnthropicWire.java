package io.askpipe.router.backend.anthropic;

import com.anthropic.core.JsonValue;
import com.anthropic.core.ObjectMappers;
import com.anthropic.models.ErrorObject;
import com.anthropic.models.ErrorResponse;
import com.anthropic.models.messages.DirectCaller;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.ToolUseBlock;
import com.anthropic.models.messages.Usage;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.backend.http.StubLlmServer.Reply;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;

/**
 * Anthropic's Messages API wire format as its official Java SDK reads and writes it: what the fake
 * Anthropic server of the tests parses our requests with and builds its answers from, so that a
 * shape only askpipe believes in fails.
 */
public final class AnthropicWire {
    private AnthropicWire() {}

    /**
     * The request {@code received} as the SDK's {@link MessageCreateParams}, its body read by the
     * SDK's own JSON mapper and validated: a field of a type the API does not define fails here.
     */
    public static MessageCreateParams request(StubLlmServer.Received received) {
        try {
            MessageCreateParams.Body body =
                    ObjectMappers.jsonMapper().readValue(received.body(), MessageCreateParams.Body.class);
            return MessageCreateParams.builder().body(body.validate()).build();
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An SDK value as a JSON tree, written by the SDK's mapper, to compare with what was sent. */
    public static JsonNode tree(Object value) {
        return ObjectMappers.jsonMapper().valueToTree(value);
    }

    /** A 200 answering {@code message}, written by the SDK's mapper. */
    public static Reply answer(Message message) {
        return Reply.json(200, json(message.validate()));
    }

    /** Anthropic's error body of {@code status}, with {@code error} written by the SDK's mapper. */
    public static Reply error(int status, ErrorObject error) {
        return Reply.json(
                status,
                json(ErrorResponse.builder()
                        .error(error)
                        .requestId("req_011test")
                        .build()));
    }

    /** A message by {@code model} that stopped for {@code stopReason}, its content still to add. */
    public static Message.Builder message(String model, StopReason stopReason, Usage usage) {
        return Message.builder()
                .id("msg_01XFDUDYJgAACzvnptvVoYEL")
                .container(Optional.empty())
                .diagnostics(Optional.empty())
                .model(model)
                .stopDetails(Optional.empty())
                .stopReason(stopReason)
                .stopSequence(Optional.empty())
                .usage(usage);
    }

    public static TextBlock text(String text) {
        return TextBlock.builder().text(text).citations(Optional.empty()).build();
    }

    public static ToolUseBlock toolUse(String id, String name, Map<String, Object> input) {
        return ToolUseBlock.builder()
                .id(id)
                .name(name)
                .input(JsonValue.from(input))
                .caller(DirectCaller.builder().build())
                .build();
    }

    /** Usage of {@code input} uncached prompt tokens, {@code cacheRead} read from the cache, and {@code output}. */
    public static Usage usage(long input, long cacheRead, long output) {
        return Usage.builder()
                .cacheCreation(Optional.empty())
                .cacheCreationInputTokens(0L)
                .cacheReadInputTokens(cacheRead)
                .inferenceGeo(Optional.empty())
                .inputTokens(input)
                .outputTokens(output)
                .outputTokensDetails(Optional.empty())
                .serverToolUse(Optional.empty())
                .serviceTier(Optional.empty())
                .speed(Optional.empty())
                .build();
    }

    private static String json(Object value) {
        try {
            return ObjectMappers.jsonMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
