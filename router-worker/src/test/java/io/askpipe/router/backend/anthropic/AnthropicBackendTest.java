package io.askpipe.router.backend.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.ErrorObject;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.OutputConfig;
import com.anthropic.models.messages.RefusalStopDetails;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolChoice;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import com.fasterxml.jackson.databind.JsonNode;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnthropicBackendTest {
    private static final String KEY = "sk-ant-api03-test-0123456789abcdef";
    private static final String MODEL = "claude-sonnet-5-5";

    private StubLlmServer server;
    private AnthropicBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        backend = backend(new AnthropicSettings(server.baseUrl() + "/", KEY, "claude-haiku-5-5", 1024, "2023-06-01"));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    private static AnthropicBackend backend(AnthropicSettings settings) {
        return new AnthropicBackend(settings, Duration.ofSeconds(2));
    }

    private BackendOutcome call(ChatRequest chat) throws InterruptedException {
        return backend.call(new BackendCall("id-1", chat, chat.model()));
    }

    private static ChatRequest.Builder ask(ChatMessage... messages) {
        return ChatRequest.builder(List.of(messages)).model(MODEL);
    }

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    private static final String WEATHER_SCHEMA = """
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
             "additionalProperties": false}""";

    private static Tool weatherTool() throws Exception {
        return Tool.function(
                new FunctionDefinition("get_weather", "The weather in a city now", json(WEATHER_SCHEMA), true));
    }

    private Reply sunny() {
        return AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.END_TURN, AnthropicWire.usage(10, 0, 3))
                .addContent(AnthropicWire.text("Sunny."))
                .build());
    }

    private static BackendOutcome.Failed failed(BackendOutcome outcome) {
        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.message())
                .doesNotContain(KEY)
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
        return failed;
    }

    @Test
    void postsTheConversationWithSystemTurnsToolsAndParameters() throws Exception {
        server.answer(request -> sunny());
        ChatRequest chat = ask(
                        ChatMessage.system("You are a weather assistant."),
                        ChatMessage.user("What should I wear in Paris and in Rome?"),
                        ChatMessage.assistant(List.of(
                                ToolCall.function("call_1", "get_weather", "{\"city\": \"Paris\"}"),
                                ToolCall.function("call_2", "get_weather", "{\"city\": \"Rome\"}"))),
                        ChatMessage.tool("call_1", "18 C, rain"),
                        ChatMessage.tool("call_2", "27 C, sun"),
                        ChatMessage.of(Role.DEVELOPER, "Answer in one sentence."),
                        ChatMessage.user("Which city is warmer?"))
                .maxCompletionTokens(300)
                .temperature(0.2)
                .topP(0.9)
                .stop(List.of("END"))
                .user("user-42")
                .tools(List.of(weatherTool()))
                .parallelToolCalls(false)
                .build();

        assertThat(call(chat)).isInstanceOf(BackendOutcome.Completed.class);

        StubLlmServer.Received received = server.only();
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.path()).isEqualTo("/v1/messages");
        assertThat(received.headers().getFirst("x-api-key")).isEqualTo(KEY);
        assertThat(received.headers().getFirst("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(received.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(received.headers().containsKey("Authorization")).isFalse();
        MessageCreateParams params = AnthropicWire.request(received);
        assertThat(params.model().asString()).isEqualTo(MODEL);
        assertThat(params.maxTokens()).isEqualTo(300);
        assertThat(params.system().orElseThrow().asString())
                .as("system and developer messages, joined in order")
                .isEqualTo("You are a weather assistant.\n\nAnswer in one sentence.");
        assertThat(params.stopSequences()).contains(List.of("END"));
        assertThat(params.metadata().orElseThrow().userId()).contains("user-42");
        assertThat(AnthropicWire.tree(params._additionalBodyProperties()))
                .as("sampling parameters the SDK's current API version no longer has: carried as sent")
                .isEqualTo(json("{\"temperature\": 0.2, \"top_p\": 0.9}"));

        List<MessageParam> turns = params.messages();
        assertThat(turns)
                .extracting(MessageParam::role)
                .extracting(Object::toString)
                .containsExactly("user", "assistant", "user");
        assertThat(turns.get(0).asUser().content().asString()).isEqualTo("What should I wear in Paris and in Rome?");
        List<ContentBlockParam> calls = turns.get(1).asAssistant().content().asContentBlockParams();
        assertThat(calls).allMatch(ContentBlockParam::isToolUse);
        ToolUseBlockParam paris = calls.get(0).asToolUse();
        assertThat(paris.id()).isEqualTo("call_1");
        assertThat(paris.name()).isEqualTo("get_weather");
        assertThat(AnthropicWire.tree(paris.input())).isEqualTo(json("{\"city\": \"Paris\"}"));
        assertThat(calls.get(1).asToolUse().id()).isEqualTo("call_2");
        List<ContentBlockParam> answers = turns.get(2).asUser().content().asContentBlockParams();
        assertThat(answers).hasSize(3);
        ToolResultBlockParam first = answers.get(0).asToolResult();
        assertThat(first.toolUseId()).isEqualTo("call_1");
        assertThat(first.content().orElseThrow().asString()).isEqualTo("18 C, rain");
        assertThat(answers.get(1).asToolResult().toolUseId()).isEqualTo("call_2");
        assertThat(answers.get(2).asText().text())
                .as("the user's next message joins the tool results' turn")
                .isEqualTo("Which city is warmer?");

        var tool = params.tools().orElseThrow().getFirst().asTool();
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.description()).contains("The weather in a city now");
        assertThat(tool.strict()).contains(true);
        assertThat(AnthropicWire.tree(tool.inputSchema())).isEqualTo(json(WEATHER_SCHEMA));
        ToolChoice choice = params.toolChoice().orElseThrow();
        assertThat(choice.isAuto()).isTrue();
        assertThat(choice.asAuto().disableParallelToolUse()).contains(true);
    }

    @Test
    void imagesGoInlineAsBase64OrByTheirUrl() throws Exception {
        server.answer(request -> sunny());
        ChatRequest chat = ask(new ChatMessage(
                        Role.USER,
                        new MessageContent.Parts(List.of(
                                new ContentPart.Text("What is in these pictures?"),
                                ContentPart.Image.of("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="),
                                new ContentPart.Image(
                                        new ContentPart.ImageUrl("https://images.example/cat.jpg", "auto")))),
                        null,
                        null,
                        null,
                        null))
                .build();

        call(chat);

        List<ContentBlockParam> blocks = AnthropicWire.request(server.only())
                .messages()
                .getFirst()
                .asUser()
                .content()
                .asContentBlockParams();
        assertThat(blocks.get(0).asText().text()).isEqualTo("What is in these pictures?");
        var inline = blocks.get(1).asImage().source().asBase64();
        assertThat(inline.mediaType().asString()).isEqualTo("image/png");
        assertThat(inline.data()).isEqualTo("iVBORw0KGgoAAAANSUhEUg==");
        assertThat(blocks.get(2).asImage().source().asUrl().url()).isEqualTo("https://images.example/cat.jpg");
    }

    static Stream<Arguments> toolChoices() {
        return Stream.of(
                Arguments.of(io.askpipe.schemas.chat.ToolChoice.Mode.AUTO, "{\"type\": \"auto\"}"),
                Arguments.of(io.askpipe.schemas.chat.ToolChoice.Mode.REQUIRED, "{\"type\": \"any\"}"),
                Arguments.of(io.askpipe.schemas.chat.ToolChoice.Mode.NONE, "{\"type\": \"none\"}"),
                Arguments.of(
                        new io.askpipe.schemas.chat.ToolChoice.Function("get_weather"),
                        "{\"type\": \"tool\", \"name\": \"get_weather\"}"));
    }

    @ParameterizedTest
    @MethodSource("toolChoices")
    void eachToolChoiceHasItsAnthropicType(io.askpipe.schemas.chat.ToolChoice openAi, String anthropic)
            throws Exception {
        server.answer(request -> sunny());

        call(ask(ChatMessage.user("Weather in Oslo?"))
                .tools(List.of(weatherTool()))
                .toolChoice(openAi)
                .build());

        ToolChoice choice = AnthropicWire.request(server.only()).toolChoice().orElseThrow();
        assertThat(choice.isAuto() || choice.isAny() || choice.isNone() || choice.isTool())
                .isTrue();
        assertThat(AnthropicWire.tree(choice)).isEqualTo(json(anthropic));
    }

    @Test
    void aJsonSchemaIsAStructuredOutputAndReasoningEffortItsEffort() throws Exception {
        server.answer(request -> sunny());
        String schema = """
                {"type": "object", "properties": {"city": {"type": "string"}, "celsius": {"type": "number"}},
                 "required": ["city", "celsius"], "additionalProperties": false}""";

        call(ask(ChatMessage.user("The warmest capital today?"))
                .responseFormat(
                        new ResponseFormat.JsonSchema(new ResponseFormat.Schema("warmest", null, json(schema), true)))
                .reasoningEffort("high")
                .build());

        OutputConfig config =
                AnthropicWire.request(server.only()).outputConfig().orElseThrow();
        assertThat(config.effort()).contains(OutputConfig.Effort.HIGH);
        assertThat(AnthropicWire.tree(config.format().orElseThrow().schema())).isEqualTo(json(schema));
    }

    @Test
    void withoutATokenLimitTheDefaultIsSentAndTheAsksModelWins() throws Exception {
        backend.close();
        backend = backend(new AnthropicSettings(server.baseUrl(), null, "claude-haiku-5-5", 1024, "2026-10-21"));
        server.answer(request -> sunny());

        backend.call(BackendCall.ofPrompt("id-2", "hello", null));
        backend.call(BackendCall.ofPrompt("id-3", "hello", "claude-opus-5-5"));

        List<StubLlmServer.Received> received = server.received();
        MessageCreateParams byDefault = AnthropicWire.request(received.get(0));
        assertThat(byDefault.model().asString()).isEqualTo("claude-haiku-5-5");
        assertThat(byDefault.maxTokens()).isEqualTo(1024);
        assertThat(byDefault.messages().getFirst().asUser().content().asString())
                .isEqualTo("hello");
        assertThat(byDefault.system()).isEmpty();
        assertThat(byDefault.tools()).isEmpty();
        assertThat(byDefault._additionalBodyProperties()).isEmpty();
        assertThat(received.get(0).headers().containsKey("x-api-key")).isFalse();
        assertThat(received.get(0).headers().getFirst("anthropic-version")).isEqualTo("2026-10-21");
        assertThat(AnthropicWire.request(received.get(1)).model().asString()).isEqualTo("claude-opus-5-5");
    }

    @Test
    void extraMembersReachTheBodyAsTheyAre() throws Exception {
        server.answer(request -> sunny());
        var extra = (com.fasterxml.jackson.databind.node.ObjectNode)
                json("{\"top_k\": 40, \"thinking\": {\"type\": \"adaptive\"}}");

        call(ask(ChatMessage.user("hi")).extra(extra).build());

        MessageCreateParams params = AnthropicWire.request(server.only());
        assertThat(params.thinking().orElseThrow().isAdaptive()).isTrue();
        assertThat(AnthropicWire.tree(params._additionalBodyProperties())).isEqualTo(json("{\"top_k\": 40}"));
    }

    @Test
    void readsTextToolCallsTheStopReasonAndUsage() throws Exception {
        server.answer(AnthropicWire.answer(AnthropicWire.message(
                        "claude-sonnet-5-5-20261101", StopReason.TOOL_USE, AnthropicWire.usage(120, 2000, 45))
                .addContent(AnthropicWire.text("Let me check "))
                .addContent(AnthropicWire.text("both cities."))
                .addContent(AnthropicWire.toolUse("toolu_01A", "get_weather", Map.of("city", "Paris")))
                .addContent(AnthropicWire.toolUse("toolu_01B", "get_weather", Map.of("city", "Rome")))
                .build()));

        BackendOutcome outcome = call(ask(ChatMessage.user("Weather in Paris and Rome?"))
                .tools(List.of(weatherTool()))
                .build());

        assertThat(outcome).isInstanceOf(BackendOutcome.Completed.class);
        BackendOutcome.Completed completed = (BackendOutcome.Completed) outcome;
        assertThat(completed.model()).isEqualTo("claude-sonnet-5-5-20261101");
        assertThat(completed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(completed.answer()).isEqualTo("Let me check both cities.");
        assertThat(completed.message().toolCalls())
                .containsExactly(
                        ToolCall.function("toolu_01A", "get_weather", "{\"city\":\"Paris\"}"),
                        ToolCall.function("toolu_01B", "get_weather", "{\"city\":\"Rome\"}"));
        assertThat(completed.usage())
                .as("OpenAI counts cached prompt tokens in the prompt tokens, Anthropic apart")
                .isEqualTo(new Usage(2120, 45, 2165).withCachedTokens(2000));
        assertThat(completed.systemFingerprint()).isNull();
    }

    @Test
    void aToolCallAloneHasNoContent() throws Exception {
        server.answer(
                AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.TOOL_USE, AnthropicWire.usage(5, 0, 9))
                        .addContent(AnthropicWire.toolUse("toolu_01", "get_weather", Map.of()))
                        .build()));

        BackendOutcome.Completed completed = (BackendOutcome.Completed) call(
                ask(ChatMessage.user("Weather?")).tools(List.of(weatherTool())).build());

        assertThat(completed.message())
                .isEqualTo(ChatMessage.assistant(List.of(ToolCall.function("toolu_01", "get_weather", "{}"))));
    }

    @Test
    void theSmallerTokenLimitIsSentAndAnAssistantsRefusalFollowsItsText() throws Exception {
        server.answer(request -> sunny());

        call(ask(
                        ChatMessage.user("Tell me a secret."),
                        new ChatMessage(
                                Role.ASSISTANT,
                                MessageContent.of("I see."),
                                null,
                                null,
                                null,
                                "I cannot share secrets."),
                        ChatMessage.user("Then the weather?"))
                .maxTokens(100)
                .maxCompletionTokens(300)
                .build());

        MessageCreateParams params = AnthropicWire.request(server.only());
        assertThat(params.maxTokens()).isEqualTo(100);
        List<ContentBlockParam> said = params.messages().get(1).content().asContentBlockParams();
        assertThat(said)
                .extracting(block -> block.asText().text())
                .containsExactly("I see.", "I cannot share secrets.");
    }

    @Test
    void aMaxTokensStopIsALengthFinish() throws Exception {
        server.answer(
                AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.MAX_TOKENS, AnthropicWire.usage(8, 0, 2))
                        .addContent(AnthropicWire.text("The sky"))
                        .build()));

        BackendOutcome outcome =
                call(ask(ChatMessage.user("Why is the sky blue?")).maxTokens(2).build());

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed(
                        MODEL,
                        ChatMessage.assistant("The sky"),
                        FinishReason.LENGTH,
                        new Usage(8, 2, 10).withCachedTokens(0),
                        null));
        assertThat(AnthropicWire.request(server.only()).maxTokens()).isEqualTo(2);
    }

    @Test
    void aRefusalIsAContentFilterFinishWithTheExplanation() throws Exception {
        server.answer(
                AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.REFUSAL, AnthropicWire.usage(8, 0, 0))
                        .content(List.of())
                        .stopDetails(RefusalStopDetails.builder()
                                .category(RefusalStopDetails.Category.GENERAL_HARMS)
                                .explanation("The request asks for harmful instructions.")
                                .build())
                        .build()));

        BackendOutcome.Completed completed =
                (BackendOutcome.Completed) call(ask(ChatMessage.user("...")).build());

        assertThat(completed.finishReason()).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(completed.message().refusal()).isEqualTo("The request asks for harmful instructions.");
        assertThat(completed.answer()).isEmpty();
    }

    static Stream<Arguments> unhonourable() throws Exception {
        ChatMessage user = ChatMessage.user("hi");
        List<Arguments> cases = List.of(
                Arguments.of("/seed", (UnaryOperator<ChatRequest.Builder>) b -> b.seed(7L)),
                Arguments.of(
                        "/logit_bias", (UnaryOperator<ChatRequest.Builder>) b -> b.logitBias(Map.of("50256", -100))),
                Arguments.of("/presence_penalty", (UnaryOperator<ChatRequest.Builder>) b -> b.presencePenalty(0.5)),
                Arguments.of("/frequency_penalty", (UnaryOperator<ChatRequest.Builder>) b -> b.frequencyPenalty(-1.0)),
                Arguments.of("/n", (UnaryOperator<ChatRequest.Builder>) b -> b.n(2)),
                Arguments.of("/temperature", (UnaryOperator<ChatRequest.Builder>) b -> b.temperature(1.5)),
                Arguments.of("/response_format", (UnaryOperator<ChatRequest.Builder>)
                        b -> b.responseFormat(ResponseFormat.JSON_OBJECT)),
                Arguments.of("/response_format/json_schema/description", (UnaryOperator<ChatRequest.Builder>) b ->
                        b.responseFormat(new ResponseFormat.JsonSchema(new ResponseFormat.Schema(
                                "weather",
                                "today's weather",
                                Json.mapper().createObjectNode().put("type", "object"),
                                null)))),
                Arguments.of(
                        "/reasoning_effort", (UnaryOperator<ChatRequest.Builder>) b -> b.reasoningEffort("minimal")),
                Arguments.of("/extra/max_tokens", (UnaryOperator<ChatRequest.Builder>)
                        b -> b.extra(Json.mapper().createObjectNode().put("max_tokens", 5))));
        return Stream.concat(
                cases.stream().map(c -> Arguments.of(c.get()[0], List.of(user), c.get()[1])),
                Stream.of(
                        Arguments.of(
                                "/messages/0/name",
                                List.of(new ChatMessage(Role.USER, MessageContent.of("hi"), "alice", null, null, null)),
                                UnaryOperator.identity()),
                        Arguments.of(
                                "/messages/0/content/1/image_url/detail",
                                List.of(new ChatMessage(
                                        Role.USER,
                                        new MessageContent.Parts(List.of(
                                                new ContentPart.Text("what is it?"),
                                                new ContentPart.Image(new ContentPart.ImageUrl(
                                                        "https://images.example/a.png", "high")))),
                                        null,
                                        null,
                                        null,
                                        null)),
                                UnaryOperator.identity()),
                        Arguments.of(
                                "/messages/0/content/0/image_url/url",
                                List.of(new ChatMessage(
                                        Role.USER,
                                        new MessageContent.Parts(
                                                List.of(ContentPart.Image.of("data:image/bmp;base64,Qk0="))),
                                        null,
                                        null,
                                        null,
                                        null)),
                                UnaryOperator.identity()),
                        Arguments.of(
                                "/messages/1/tool_calls/0/function/arguments",
                                List.of(
                                        user,
                                        ChatMessage.assistant(
                                                List.of(ToolCall.function("call_1", "get_weather", "[\"Paris\"]")))),
                                UnaryOperator.identity()),
                        Arguments.of("/messages", List.of(ChatMessage.system("be brief")), UnaryOperator.identity())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unhonourable")
    void aFieldAnthropicCannotHonourIsRefusedByNameWithoutACall(
            String pointer, List<ChatMessage> messages, UnaryOperator<ChatRequest.Builder> field) throws Exception {
        BackendOutcome.Failed failed = failed(
                call(field.apply(ChatRequest.builder(messages).model(MODEL)).build()));

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).startsWith("anthropic cannot honour " + pointer + ": ");
        assertThat(server.received()).as("Anthropic is not asked").isEmpty();
    }

    @Test
    void zeroPenaltiesChangeNothingAndAreAccepted() throws Exception {
        server.answer(request -> sunny());

        BackendOutcome outcome = call(ask(ChatMessage.user("hi"))
                .presencePenalty(0.0)
                .frequencyPenalty(0.0)
                .n(1)
                .build());

        assertThat(outcome).isInstanceOf(BackendOutcome.Completed.class);
        assertThat(AnthropicWire.request(server.only())._additionalBodyProperties())
                .isEmpty();
    }

    @Test
    void overloadedIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(AnthropicWire.error(529, ErrorObject.ofOverloadedError("Overloaded"))
                .withHeader("retry-after", "3"));

        BackendOutcome.Failed failed = failed(call(ask(ChatMessage.user("hi")).build()));

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(3));
        assertThat(failed.message()).isEqualTo("anthropic failed (HTTP 529): Overloaded");
    }

    @Test
    void rateLimitingIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(AnthropicWire.error(
                        429,
                        ErrorObject.ofRateLimitError(
                                "Number of request tokens has exceeded your per-minute rate limit"))
                .withHeader("retry-after", "12"));

        BackendOutcome.Failed failed = failed(call(ask(ChatMessage.user("hi")).build()));

        assertThat(failed.errorType()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(failed.message()).contains("per-minute rate limit");
    }

    @Test
    void aRejectedRequestCarriesAnthropicsMessage() throws Exception {
        server.answer(AnthropicWire.error(
                400, ErrorObject.ofInvalidRequestError("`temperature` is deprecated for this model.")));

        BackendOutcome.Failed failed =
                failed(call(ask(ChatMessage.user("hi")).temperature(0.5).build()));

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message())
                .isEqualTo("anthropic rejected the request (HTTP 400): `temperature` is deprecated for this model.");
    }

    @Test
    void refusedCredentialsArePermanentAndNeverQuoteTheProvider() throws Exception {
        for (int status : new int[] {401, 403}) {
            server.answer(AnthropicWire.error(
                    status, ErrorObject.ofAuthenticationError("invalid x-api-key " + KEY.substring(0, 12))));

            BackendOutcome.Failed failed =
                    failed(call(ask(ChatMessage.user("hi")).build()));

            assertThat(failed.errorType()).isEqualTo(ErrorType.BACKEND_AUTH_FAILED);
            assertThat(failed.message()).isEqualTo("anthropic refused askpipe's credentials (HTTP " + status + ")");
        }
    }

    @Test
    void anAnswerWithoutContentIsAPermanentInvalidResponse() throws Exception {
        server.answer(Reply.json(200, "{\"type\": \"message\", \"role\": \"assistant\", \"model\": \"m\"}"));

        BackendOutcome.Failed failed = failed(call(ask(ChatMessage.user("hi")).build()));

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.message()).isEqualTo("anthropic answered without content");
    }

    @Test
    void aPingListsTheModelsWithTheKeyAndVersion() throws Exception {
        server.answer(Reply.json(200, "{\"data\": [], \"has_more\": false}"));

        assertThat(backend.ping()).isEmpty();

        StubLlmServer.Received request = server.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.headers().getFirst("x-api-key")).isEqualTo(KEY);
        assertThat(request.headers().getFirst("anthropic-version")).isEqualTo("2023-06-01");
        server.answer(AnthropicWire.error(401, ErrorObject.ofAuthenticationError("invalid x-api-key")));
        assertThat(backend.ping())
                .hasValueSatisfying(
                        problem -> assertThat(problem).contains("HTTP 401").doesNotContain(KEY));
    }

    @Test
    void theAnswerOfAnUnknownStopReasonStillCounts() {
        assertThat(MessagesAnswer.finishReason("something_new", false)).isEqualTo(FinishReason.STOP);
        assertThat(MessagesAnswer.finishReason("something_new", true)).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(MessagesAnswer.finishReason("stop_sequence", false)).isEqualTo(FinishReason.STOP);
        assertThat(MessagesAnswer.finishReason("model_context_window_exceeded", false))
                .isEqualTo(FinishReason.LENGTH);
        assertThat(MessagesAnswer.finishReason("pause_turn", false)).isEqualTo(FinishReason.STOP);
    }
}
