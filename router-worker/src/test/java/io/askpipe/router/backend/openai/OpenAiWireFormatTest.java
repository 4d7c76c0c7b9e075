package io.askpipe.router.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageParam;
import com.openai.models.completions.CompletionUsage;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.backend.http.StubLlmServer.Reply;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolCall;
import io.askpipe.schemas.chat.ToolChoice;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code openai} backend against a server that reads our requests with the official SDK's
 * {@link ChatCompletionCreateParams.Body} and answers with its {@link ChatCompletion}, so that a
 * shape only askpipe believes in fails.
 */
class OpenAiWireFormatTest {
    private static final String IMAGE = "data:image/png;base64,iVBORw0KGgo=";
    private static final String WEATHER_SCHEMA = """
            {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
             "required": ["city", "days"], "additionalProperties": false}""";
    private static final String ANSWER_SCHEMA = """
            {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"],
             "additionalProperties": false}""";

    private final AtomicReference<ChatCompletionCreateParams.Body> received = new AtomicReference<>();
    private StubLlmServer server;
    private OpenAiBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        backend = new OpenAiBackend(
                new OpenAiSettings(server.baseUrl(), "sk-test", "gpt-4o-mini", 64, 0.2), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    /** Answers every request with {@code completion}, after reading it with the SDK. */
    private void answer(ChatCompletion completion) {
        server.answer(request -> {
            ChatCompletionCreateParams.Body body =
                    ObjectMappers.jsonMapper().readValue(request.body(), ChatCompletionCreateParams.Body.class);
            received.set(body.validate());
            return Reply.json(200, ObjectMappers.jsonMapper().writeValueAsString(completion));
        });
    }

    private static ChatCompletion completion(ChatCompletion.Choice.FinishReason reason, ChatCompletionMessage message) {
        return ChatCompletion.builder()
                .id("chatcmpl-7")
                .created(1_764_158_400L)
                .model("gpt-4o-2024-08-06")
                .addChoice(ChatCompletion.Choice.builder()
                        .index(0)
                        .finishReason(reason)
                        .logprobs(Optional.empty())
                        .message(message)
                        .build())
                .usage(CompletionUsage.builder()
                        .promptTokens(120)
                        .completionTokens(30)
                        .totalTokens(150)
                        .build())
                .build();
    }

    private static ChatCompletionMessage text(String content) {
        return ChatCompletionMessage.builder()
                .content(content)
                .refusal(Optional.empty())
                .build();
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    /** An SDK value as our JSON tree, to compare it with what the ask held. */
    private static JsonNode tree(Object sdkValue) throws Exception {
        return Json.mapper().readTree(ObjectMappers.jsonMapper().writeValueAsString(sdkValue));
    }

    private BackendOutcome ask(ChatRequest chat, String model) throws InterruptedException {
        return backend.call(new BackendCall("ask-1", chat, model));
    }

    @Test
    @SuppressWarnings("deprecation") // max_tokens, seed and user are deprecated by OpenAI, still carried by askpipe
    void sendsEveryFieldOfTheAskAsTheSdkReadsIt() throws Exception {
        answer(completion(ChatCompletion.Choice.FinishReason.STOP, text("Sunny.")));
        ObjectNode extra =
                Json.mapper().createObjectNode().put("service_tier", "flex").put("store", false);
        ChatRequest chat = ChatRequest.builder(List.of(
                        ChatMessage.system("You are terse."),
                        ChatMessage.of(Role.DEVELOPER, "Answer in JSON."),
                        new ChatMessage(
                                Role.USER,
                                new MessageContent.Parts(List.of(
                                        new ContentPart.Text("What is in this picture, and the weather in Oslo?"),
                                        new ContentPart.Image(new ContentPart.ImageUrl(IMAGE, "high")))),
                                "ada",
                                null,
                                null,
                                null),
                        ChatMessage.assistant(
                                List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Oslo\",\"days\":1}"))),
                        ChatMessage.tool("call_1", "{\"sky\":\"clear\"}"),
                        ChatMessage.user("Summarize.")))
                .model("gpt-4o")
                .temperature(0.3)
                .topP(0.9)
                .maxTokens(100)
                .maxCompletionTokens(200)
                .stop(List.of("END", "STOP"))
                .seed(42L)
                .presencePenalty(0.5)
                .frequencyPenalty(-0.5)
                .logitBias(Map.of("50256", -100))
                .n(1)
                .responseFormat(new ResponseFormat.JsonSchema(
                        new ResponseFormat.Schema("answer", "the summary", tree(ANSWER_SCHEMA), true)))
                .tools(List.of(Tool.function(
                        new FunctionDefinition("get_weather", "the weather in a city", tree(WEATHER_SCHEMA), true))))
                .toolChoice(new ToolChoice.Function("get_weather"))
                .parallelToolCalls(false)
                .user("end-user-7")
                .reasoningEffort("low")
                .extra(extra)
                .build();

        BackendOutcome outcome = ask(chat, "gpt-4o-2024-08-06");

        assertThat(outcome).isInstanceOf(BackendOutcome.Completed.class);
        ChatCompletionCreateParams.Body body = received.get();
        assertThat(body.model().asString()).isEqualTo("gpt-4o-2024-08-06"); // the route's model, not the ask's
        List<ChatCompletionMessageParam> messages = body.messages();
        assertThat(messages).hasSize(6);
        assertThat(messages.get(0).asSystem().content().asText()).isEqualTo("You are terse.");
        assertThat(messages.get(1).asDeveloper().content().asText()).isEqualTo("Answer in JSON.");
        var user = messages.get(2).asUser();
        assertThat(user.name()).contains("ada");
        List<ChatCompletionContentPart> parts = user.content().asArrayOfContentParts();
        assertThat(parts.get(0).asText().text()).isEqualTo("What is in this picture, and the weather in Oslo?");
        assertThat(parts.get(1).asImageUrl().imageUrl().url()).isEqualTo(IMAGE);
        assertThat(parts.get(1).asImageUrl().imageUrl().detail())
                .contains(ChatCompletionContentPartImage.ImageUrl.Detail.HIGH);
        var assistant = messages.get(3).asAssistant();
        assertThat(assistant.content()).isEmpty();
        ChatCompletionMessageFunctionToolCall called =
                assistant.toolCalls().orElseThrow().getFirst().asFunction();
        assertThat(called.id()).isEqualTo("call_1");
        assertThat(called.function().name()).isEqualTo("get_weather");
        assertThat(called.function().arguments()).isEqualTo("{\"city\":\"Oslo\",\"days\":1}");
        assertThat(messages.get(4).asTool().toolCallId()).isEqualTo("call_1");
        assertThat(messages.get(4).asTool().content().asText()).isEqualTo("{\"sky\":\"clear\"}");
        assertThat(messages.get(5).asUser().content().asText()).isEqualTo("Summarize.");

        assertThat(body.temperature()).contains(0.3);
        assertThat(body.topP()).contains(0.9);
        assertThat(body.maxTokens()).contains(100L);
        assertThat(body.maxCompletionTokens()).contains(200L);
        assertThat(body.stop().orElseThrow().asStrings()).containsExactly("END", "STOP");
        assertThat(body.seed()).contains(42L);
        assertThat(body.presencePenalty()).contains(0.5);
        assertThat(body.frequencyPenalty()).contains(-0.5);
        assertThat(body.logitBias().orElseThrow()._additionalProperties())
                .isEqualTo(Map.of("50256", JsonValue.from(-100)));
        assertThat(body.n()).contains(1L);
        var format = body.responseFormat().orElseThrow().asJsonSchema().jsonSchema();
        assertThat(format.name()).isEqualTo("answer");
        assertThat(format.description()).contains("the summary");
        assertThat(format.strict()).contains(true);
        assertThat(tree(format.schema().orElseThrow())).isEqualTo(tree(ANSWER_SCHEMA));
        var function = body.tools().orElseThrow().getFirst().asFunction().function();
        assertThat(function.name()).isEqualTo("get_weather");
        assertThat(function.description()).contains("the weather in a city");
        assertThat(function.strict()).contains(true);
        assertThat(tree(function.parameters().orElseThrow())).isEqualTo(tree(WEATHER_SCHEMA));
        assertThat(body.toolChoice()
                        .orElseThrow()
                        .asNamedToolChoice()
                        .function()
                        .name())
                .isEqualTo("get_weather");
        assertThat(body.parallelToolCalls()).contains(false);
        assertThat(body.user()).contains("end-user-7");
        assertThat(body.reasoningEffort()).contains(ReasoningEffort.LOW);
        // extra's members, at the top level
        assertThat(body.serviceTier()).contains(ChatCompletionCreateParams.ServiceTier.FLEX);
        assertThat(body.store()).contains(false);
        assertThat(body._additionalProperties()).isEmpty();
    }

    @Test
    void theOperatorsDefaultsGiveWayToTheAsk() throws Exception {
        answer(completion(ChatCompletion.Choice.FinishReason.STOP, text("ok")));
        ChatRequest chat = ChatRequest.builder(List.of(ChatMessage.user("hi")))
                .maxCompletionTokens(10)
                .temperature(1.0)
                .toolChoice(ToolChoice.Mode.NONE)
                .tools(List.of(Tool.function(new FunctionDefinition("noop", null, null, null))))
                .build();

        ask(chat, null);

        ChatCompletionCreateParams.Body body = received.get();
        assertThat(body.model().asString()).isEqualTo("gpt-4o-mini");
        assertThat(body._maxTokens().isMissing()).isTrue();
        assertThat(body.maxCompletionTokens()).contains(10L);
        assertThat(body.temperature()).contains(1.0);
        assertThat(body.toolChoice().orElseThrow().asAuto())
                .isEqualTo(com.openai.models.chat.completions.ChatCompletionToolChoiceOption.Auto.NONE);
        assertThat(body.tools().orElseThrow().getFirst().asFunction().function().parameters())
                .isEmpty();
    }

    @Test
    void readsATextAnswerWithItsUsageDetailsAndFingerprint() throws Exception {
        ChatCompletion completion =
                completion(ChatCompletion.Choice.FinishReason.STOP, text("{\"summary\":\"Sunny\"}")).toBuilder()
                        .systemFingerprint("fp_44709d6fcb")
                        .usage(CompletionUsage.builder()
                                .promptTokens(120)
                                .completionTokens(30)
                                .totalTokens(150)
                                .promptTokensDetails(CompletionUsage.PromptTokensDetails.builder()
                                        .cachedTokens(64)
                                        .build())
                                .completionTokensDetails(CompletionUsage.CompletionTokensDetails.builder()
                                        .reasoningTokens(12)
                                        .build())
                                .build())
                        .build();
        answer(completion);

        BackendOutcome outcome = ask(ChatRequest.ofPrompt("summarize", null), null);

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed(
                        "gpt-4o-2024-08-06",
                        ChatMessage.assistant("{\"summary\":\"Sunny\"}"),
                        FinishReason.STOP,
                        new Usage(120, 30, 150).withCachedTokens(64).withReasoningTokens(12),
                        "fp_44709d6fcb"));
    }

    @Test
    void readsAToolCall() throws Exception {
        ChatCompletionMessage message = ChatCompletionMessage.builder()
                .content((String) null)
                .refusal((String) null)
                .addToolCall(ChatCompletionMessageFunctionToolCall.builder()
                        .id("call_abc")
                        .function(ChatCompletionMessageFunctionToolCall.Function.builder()
                                .name("get_weather")
                                .arguments("{\"city\":\"Oslo\",\"days\":2}")
                                .build())
                        .build())
                .build();
        answer(completion(ChatCompletion.Choice.FinishReason.TOOL_CALLS, message));

        BackendOutcome.Completed completed =
                (BackendOutcome.Completed) ask(ChatRequest.ofPrompt("weather in Oslo?", null), null);

        assertThat(completed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(completed.message())
                .isEqualTo(ChatMessage.assistant(
                        List.of(ToolCall.function("call_abc", "get_weather", "{\"city\":\"Oslo\",\"days\":2}"))));
        assertThat(completed.answer()).isEmpty();
        assertThat(completed.usage()).isEqualTo(new Usage(120, 30, 150));
    }

    @Test
    void readsARefusal() throws Exception {
        ChatCompletionMessage message = ChatCompletionMessage.builder()
                .content((String) null)
                .refusal("I can't help with that.")
                .build();
        answer(completion(ChatCompletion.Choice.FinishReason.STOP, message));

        BackendOutcome.Completed completed = (BackendOutcome.Completed) ask(ChatRequest.ofPrompt("no", null), null);

        assertThat(completed.message())
                .isEqualTo(new ChatMessage(Role.ASSISTANT, null, null, null, null, "I can't help with that."));
        assertThat(completed.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void readsALengthStop() throws Exception {
        answer(completion(ChatCompletion.Choice.FinishReason.LENGTH, text("The sky is")));

        BackendOutcome.Completed completed =
                (BackendOutcome.Completed) ask(ChatRequest.ofPrompt("why is the sky blue", null), null);

        assertThat(completed.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completed.answer()).isEqualTo("The sky is");
    }

    @Test
    void aChoiceWithNothingReadableIsAnInvalidResponse() throws Exception {
        answer(completion(ChatCompletion.Choice.FinishReason.STOP, text(null)));

        BackendOutcome outcome = ask(ChatRequest.ofPrompt("hi", null), null);

        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.message())
                .isEqualTo("openai answered without choices[0].message.content, tool_calls or refusal");
    }
}
