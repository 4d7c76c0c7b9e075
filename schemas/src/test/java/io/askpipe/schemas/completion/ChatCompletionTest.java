package io.askpipe.schemas.completion;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.completions.CompletionUsage;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.ToolCall;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A result rendered as a {@code chat.completion} is what OpenAI's own Java SDK reads: every field is
 * checked through the SDK's model classes, parsed with its JSON mapper, and validated by it.
 */
class ChatCompletionTest {
    private static final String ID = "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a";
    private static final Instant DONE = Instant.parse("2026-11-26T10:15:30.723Z");

    private static AskResult succeeded(String answer, Usage usage) {
        return AskResult.succeeded(ID, "openai", "gpt-4o-mini-2024-07-18", answer, usage, 812, 1, DONE);
    }

    private static String json(ChatCompletion completion) throws Exception {
        return Json.mapper().writeValueAsString(completion);
    }

    /** The completion as OpenAI's SDK reads it, after the SDK's own validation. */
    private static com.openai.models.chat.completions.ChatCompletion parsed(AskResult result) throws Exception {
        return ObjectMappers.jsonMapper()
                .readValue(json(ChatCompletion.of(result)), com.openai.models.chat.completions.ChatCompletion.class)
                .validate();
    }

    @Test
    void aTextAnswerIsAChatCompletionTheSdkReadsFieldByField() throws Exception {
        AskResult result = succeeded("", Usage.of(5, 6).withCachedTokens(2).withReasoningTokens(3))
                .withReply(ChatMessage.assistant("Rayleigh scattering."), FinishReason.STOP, "fp_44709d6fcb");

        var completion = parsed(result);

        assertThat(completion.id()).isEqualTo("chatcmpl-" + ID);
        assertThat(completion._object_().asString()).contains("chat.completion");
        assertThat(completion.created()).isEqualTo(DONE.getEpochSecond());
        assertThat(completion.model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(completion.systemFingerprint()).contains("fp_44709d6fcb");
        assertThat(completion.serviceTier()).isEmpty();
        assertThat(completion.choices()).hasSize(1);
        var choice = completion.choices().getFirst();
        assertThat(choice.index()).isZero();
        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.STOP);
        assertThat(choice.logprobs()).isEmpty();
        assertThat(choice.message().content()).contains("Rayleigh scattering.");
        assertThat(choice.message().refusal()).isEmpty();
        assertThat(choice.message().toolCalls()).isEmpty();
        assertThat(choice.message()._role().asString()).contains("assistant");
        CompletionUsage usage = completion.usage().orElseThrow();
        assertThat(usage.promptTokens()).isEqualTo(5);
        assertThat(usage.completionTokens()).isEqualTo(6);
        assertThat(usage.totalTokens()).isEqualTo(11);
        assertThat(usage.promptTokensDetails().orElseThrow().cachedTokens()).contains(2L);
        assertThat(usage.completionTokensDetails().orElseThrow().reasoningTokens())
                .contains(3L);
    }

    @Test
    void theWireFormWritesWhatOpenAiWritesAndNothingElse() throws Exception {
        JsonNode wire = Json.mapper()
                .readTree(json(ChatCompletion.of(succeeded("", Usage.of(5, 6))
                        .withReply(ChatMessage.assistant("hi"), FinishReason.STOP, null))));

        assertThat(wire.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("id", "object", "created", "model", "choices", "usage");
        assertThat(wire.get("object").asText()).isEqualTo("chat.completion");
        JsonNode choice = wire.at("/choices/0");
        assertThat(choice.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("index", "message", "finish_reason", "logprobs");
        assertThat(choice.get("logprobs").isNull()).isTrue();
        // content and refusal are always there, null when there is none; tool_calls only when called
        assertThat(choice.get("message").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactly("role", "content", "refusal");
        assertThat(choice.at("/message/refusal").isNull()).isTrue();
        assertThat(wire.get("usage").has("prompt_tokens_details")).isFalse();
    }

    @Test
    void aToolCallIsAMessageWithoutContentThatStopsForToolCalls() throws Exception {
        AskResult result = succeeded("", Usage.of(40, 12))
                .withReply(
                        ChatMessage.assistant(List.of(
                                ToolCall.function("call_abc", "get_weather", "{\"city\":\"Paris\"}"),
                                ToolCall.function("call_def", "get_time", "{\"zone\":\"CET\"}"))),
                        FinishReason.TOOL_CALLS,
                        null);

        var completion = parsed(result);

        var choice = completion.choices().getFirst();
        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.TOOL_CALLS);
        assertThat(choice.message().content()).isEmpty();
        assertThat(choice.message()._content().isNull()).isTrue();
        List<ChatCompletionMessageFunctionToolCall> calls = choice.message().toolCalls().orElseThrow().stream()
                .map(call -> call.asFunction())
                .toList();
        assertThat(calls).extracting(ChatCompletionMessageFunctionToolCall::id).containsExactly("call_abc", "call_def");
        assertThat(calls.getFirst().function().name()).isEqualTo("get_weather");
        assertThat(calls.getFirst().function().arguments()).isEqualTo("{\"city\":\"Paris\"}");
        assertThat(calls.getLast().function().name()).isEqualTo("get_time");
        assertThat(calls.getFirst()._type().asString()).contains("function");
        assertThat(completion.systemFingerprint()).isEmpty();
        assertThat(completion.usage().orElseThrow().promptTokensDetails()).isEmpty();
    }

    @Test
    void aRefusalAndAContentFilterStopReadAsOpenAiWritesThem() throws Exception {
        AskResult result = succeeded("", Usage.of(9, 4))
                .withReply(
                        new ChatMessage(Role.ASSISTANT, null, null, null, null, "I can't help with that."),
                        FinishReason.CONTENT_FILTER,
                        null);

        var choice = parsed(result).choices().getFirst();

        assertThat(choice.message().refusal()).contains("I can't help with that.");
        assertThat(choice.message().content()).isEmpty();
        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.CONTENT_FILTER);
    }

    @Test
    void aLengthStopKeepsTheTruncatedText() throws Exception {
        AskResult result = succeeded("", Usage.of(5, 2))
                .withReply(ChatMessage.assistant("[dryrun] Why"), FinishReason.LENGTH, null);

        var choice = parsed(result).choices().getFirst();

        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(choice.message().content()).contains("[dryrun] Why");
    }

    @Test
    void aResultOfTextOnlyBecomesAnAssistantMessageThatStopped() throws Exception {
        // a backend that says only the text, or a result written before messages were kept
        AskResult result = AskResult.succeeded(ID, "dryrun", null, "[dryrun] hi", Usage.of(1, 2), 0, 1, DONE);

        var completion = parsed(result);

        assertThat(completion.model())
                .as("the backend, when the model is not known")
                .isEqualTo("dryrun");
        var choice = completion.choices().getFirst();
        assertThat(choice.message().content()).contains("[dryrun] hi");
        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void contentInPartsIsOneText() throws Exception {
        AskResult result = succeeded("", Usage.of(1, 2))
                .withReply(
                        new ChatMessage(
                                Role.ASSISTANT,
                                new MessageContent.Parts(
                                        List.of(new ContentPart.Text("one"), new ContentPart.Text("two"))),
                                null,
                                null,
                                null,
                                null),
                        null,
                        null);

        var choice = parsed(result).choices().getFirst();

        assertThat(choice.message().content()).contains("one\ntwo");
        assertThat(choice.finishReason())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void aFailedAskHasNoCompletion() {
        AskResult failed = AskResult.failed(
                ID, "openai", "gpt-4o", new AskError(ErrorType.TIMEOUT, "no answer in 30000 ms"), 30_000, 3, DONE);

        assertThatThrownBy(() -> ChatCompletion.of(failed)).isInstanceOf(IllegalArgumentException.class);
    }
}
