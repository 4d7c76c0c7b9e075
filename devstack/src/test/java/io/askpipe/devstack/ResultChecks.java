package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.CompletionUsage;
import io.askpipe.schemas.Json;
import java.time.Instant;
import java.util.List;

/**
 * The checks of a succeeded ask as a client reads it: its result in {@code GET /v1/ask/{id}}, and
 * its {@code chat.completion} as {@code openai-java} parses it, which must say what the result says.
 */
final class ResultChecks {
    private ResultChecks() {}

    /**
     * {@code body}, the {@code chat.completion} of the ask whose {@code GET /v1/ask/{id}} view is
     * {@code done}, parsed by {@code openai-java}'s mapper and checked field by field against the
     * ask's result.
     */
    static ChatCompletion completionOf(JsonNode done, String body) throws Exception {
        String id = done.get("request_id").asText();
        ChatCompletion completion =
                ObjectMappers.jsonMapper().readValue(body, ChatCompletion.class).validate();
        JsonNode result = done.get("result");
        assertThat(completion.id()).isEqualTo("chatcmpl-" + id);
        assertThat(completion._object_()).isEqualTo(JsonValue.from("chat.completion"));
        assertThat(completion.created())
                .isEqualTo(Instant.parse(done.get("completed_at").asText()).getEpochSecond());
        assertThat(completion.model()).isEqualTo(result.get("model").asText());
        assertThat(completion.systemFingerprint().orElse(null))
                .isEqualTo(result.path("system_fingerprint").textValue());
        assertThat(completion.choices()).hasSize(1);
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertThat(choice.index()).isZero();
        assertThat(choice.finishReason().asString())
                .isEqualTo(result.get("finish_reason").asText());
        assertThat(choice.logprobs()).isEmpty();
        assertThat(choice.message()._role()).isEqualTo(JsonValue.from("assistant"));
        assertThat(choice.message().refusal()).isEmpty();
        assertThat(choice.message().content().orElse(""))
                .isEqualTo(result.get("answer").asText());
        JsonNode calls = result.path("message").path("tool_calls");
        assertThat(choice.message().toolCalls().orElse(List.of())).hasSize(calls.size());
        for (int i = 0; i < calls.size(); i++) {
            ChatCompletionMessageFunctionToolCall call =
                    choice.message().toolCalls().orElseThrow().get(i).asFunction();
            assertThat(call.id()).isEqualTo(calls.get(i).get("id").asText());
            assertThat(call.function().name())
                    .isEqualTo(calls.get(i).at("/function/name").asText());
            assertThat(call.function().arguments())
                    .isEqualTo(calls.get(i).at("/function/arguments").asText());
        }
        CompletionUsage usage = completion.usage().orElseThrow();
        JsonNode expected = result.get("usage");
        assertThat(usage.promptTokens()).isEqualTo(expected.get("prompt_tokens").asLong());
        assertThat(usage.completionTokens())
                .isEqualTo(expected.get("completion_tokens").asLong());
        assertThat(usage.totalTokens()).isEqualTo(expected.get("total_tokens").asLong());
        assertThat(usage.promptTokensDetails().flatMap(d -> d.cachedTokens()).orElse(-1L))
                .isEqualTo(expected.at("/prompt_tokens_details/cached_tokens").asLong(-1));
        assertThat(usage.completionTokensDetails()
                        .flatMap(d -> d.reasoningTokens())
                        .orElse(-1L))
                .isEqualTo(expected.at("/completion_tokens_details/reasoning_tokens")
                        .asLong(-1));
        return completion;
    }

    /** The result holds the one call of get_weather for Porto, with {@code id}. */
    static void toolCall(JsonNode result, String id) throws Exception {
        JsonNode message = result.get("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.get("tool_calls")).hasSize(1);
        JsonNode call = message.get("tool_calls").get(0);
        assertThat(call.get("id").asText()).isEqualTo(id);
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("get_weather");
        assertThat(Json.mapper().readTree(call.at("/function/arguments").asText()))
                .isEqualTo(Json.mapper().readTree("{\"city\": \"Porto\"}"));
    }

    /** The result's usage; a detail of -1 is one the backend did not report. */
    static void usage(JsonNode result, int prompt, int completion, int cached, int reasoning) {
        JsonNode usage = result.get("usage");
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(prompt);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(completion);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(prompt + completion);
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").asInt(-1)).isEqualTo(cached);
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt(-1))
                .isEqualTo(reasoning);
    }
}
