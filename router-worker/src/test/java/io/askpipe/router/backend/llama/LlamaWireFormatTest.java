package io.askpipe.router.backend.llama;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code llama} backend against a server that speaks Ollama's {@code /api/chat} wire format:
 * every field of an ask mapped to Ollama's request, Ollama's answers read back, and what Ollama
 * cannot honour refused by name before any call.
 */
class LlamaWireFormatTest {
    private static final String IMAGE_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
    private static final String WEATHER_SCHEMA = """
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""";
    private static final String ANSWER_SCHEMA = """
            {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]}""";
    private static final String ANSWER = """
            {"model": "llama3.2", "created_at": "2026-11-26T12:00:00.000000Z",
             "message": {"role": "assistant", "content": "{\\"summary\\": \\"clear\\"}"},
             "done_reason": "stop", "done": true, "prompt_eval_count": 61, "eval_count": 9}""";

    private StubLlmServer server;
    private LlamaBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        backend = new LlamaBackend(new LlamaSettings(server.baseUrl(), "llama3.2", 256, 0.7), Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    private BackendOutcome ask(ChatRequest chat) throws InterruptedException {
        return backend.call(new BackendCall("0b7e4c2a-5f1d-4e8b-9c3a-2d6f8e1a7b90", chat, null));
    }

    private static Tool weatherTool(Boolean strict) throws Exception {
        return Tool.function(
                new FunctionDefinition("get_weather", "the weather in a city", tree(WEATHER_SCHEMA), strict));
    }

    private static ChatRequest.Builder hello() {
        return ChatRequest.builder(List.of(ChatMessage.user("hello")));
    }

    @Test
    void sendsTheConversationAndEveryParameterAsOllamaTakesThem() throws Exception {
        server.answer(Reply.json(200, ANSWER));
        ObjectNode extra = (ObjectNode) tree("{\"keep_alive\": \"10m\", \"options\": {\"num_ctx\": 8192}}");
        ChatRequest chat = ChatRequest.builder(List.of(
                        ChatMessage.system("You are terse."),
                        ChatMessage.of(Role.DEVELOPER, "Answer in JSON."),
                        new ChatMessage(
                                Role.USER,
                                new MessageContent.Parts(List.of(
                                        new ContentPart.Text("What is in this picture?"),
                                        new ContentPart.Text("And the weather in Oslo?"),
                                        new ContentPart.Image(new ContentPart.ImageUrl(
                                                "data:image/png;base64," + IMAGE_BASE64, "auto")))),
                                null,
                                null,
                                null,
                                null),
                        ChatMessage.assistant(
                                List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Oslo\"}"))),
                        ChatMessage.tool("call_1", "{\"sky\":\"clear\"}"),
                        ChatMessage.user("Summarize.")))
                .model("ignored-the-route-decides")
                .temperature(0.3)
                .topP(0.9)
                .seed(42L)
                .maxTokens(100)
                .maxCompletionTokens(50)
                .stop(List.of("END", "STOP"))
                .presencePenalty(0.5)
                .frequencyPenalty(-0.5)
                .n(1)
                .responseFormat(new ResponseFormat.JsonSchema(
                        new ResponseFormat.Schema("answer", null, tree(ANSWER_SCHEMA), true)))
                .tools(List.of(weatherTool(false)))
                .toolChoice(ToolChoice.Mode.AUTO)
                .parallelToolCalls(true)
                .reasoningEffort("medium")
                .extra(extra)
                .build();

        BackendOutcome outcome = backend.call(new BackendCall("ask-1", chat, "qwen3:8b"));

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed("llama3.2", "{\"summary\": \"clear\"}", new Usage(61, 9, 70)));
        assertThat(server.only().json()).isEqualTo(tree("""
                {"model": "qwen3:8b",
                 "messages": [
                   {"role": "system", "content": "You are terse."},
                   {"role": "system", "content": "Answer in JSON."},
                   {"role": "user", "content": "What is in this picture?\\nAnd the weather in Oslo?",
                    "images": ["%s"]},
                   {"role": "assistant", "content": "",
                    "tool_calls": [{"id": "call_1", "function": {"name": "get_weather", "arguments": {"city": "Oslo"}}}]},
                   {"role": "tool", "content": "{\\"sky\\":\\"clear\\"}", "tool_name": "get_weather",
                    "tool_call_id": "call_1"},
                   {"role": "user", "content": "Summarize."}],
                 "stream": false,
                 "format": %s,
                 "tools": [{"type": "function",
                            "function": {"name": "get_weather", "description": "the weather in a city",
                                         "parameters": %s}}],
                 "think": "medium",
                 "options": {"temperature": 0.3, "top_p": 0.9, "seed": 42, "num_predict": 50,
                             "stop": ["END", "STOP"], "presence_penalty": 0.5, "frequency_penalty": -0.5,
                             "num_ctx": 8192},
                 "keep_alive": "10m"}
                """.formatted(IMAGE_BASE64, ANSWER_SCHEMA, WEATHER_SCHEMA)));
    }

    @Test
    void jsonObjectIsOllamasJsonFormatAndTheOperatorsDefaultsFillTheGaps() throws Exception {
        server.answer(Reply.json(200, ANSWER));

        ask(hello().responseFormat(ResponseFormat.JSON_OBJECT).build());

        assertThat(server.only().json()).isEqualTo(tree("""
                {"model": "llama3.2", "messages": [{"role": "user", "content": "hello"}], "stream": false,
                 "format": "json", "options": {"num_predict": 256, "temperature": 0.7}}"""));
    }

    @ParameterizedTest
    @CsvSource({"none, false", "low, \"low\"", "medium, \"medium\"", "high, \"high\""})
    void reasoningEffortIsOllamasThinkLevel(String effort, String think) throws Exception {
        server.answer(Reply.json(200, ANSWER));

        ask(hello().reasoningEffort(effort).build());

        assertThat(server.only().json().get("think")).isEqualTo(tree(think));
    }

    @Test
    void toolChoiceNoneOffersNoTools() throws Exception {
        server.answer(Reply.json(200, ANSWER));

        ask(hello().tools(List.of(weatherTool(null)))
                .toolChoice(ToolChoice.Mode.NONE)
                .build());

        assertThat(server.only().json().has("tools")).isFalse();
    }

    @Test
    void readsAToolCallWithItsArgumentsAsJsonText() throws Exception {
        server.answer(Reply.json(200, """
                {"model": "llama3.2", "created_at": "2026-11-26T12:00:00Z",
                 "message": {"role": "assistant", "content": "",
                             "tool_calls": [{"function": {"name": "get_weather", "arguments": {"city": "Oslo"}}},
                                            {"id": "call_x", "function": {"name": "get_weather",
                                                                         "arguments": {"city": "Bergen"}}}]},
                 "done_reason": "stop", "done": true, "prompt_eval_count": 122, "eval_count": 33}"""));

        BackendOutcome outcome = ask(hello().tools(List.of(weatherTool(null))).build());

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed(
                        "llama3.2",
                        ChatMessage.assistant(List.of(
                                ToolCall.function(
                                        "call_0b7e4c2a5f1d4e8b9c3a2d6f8e1a7b90_0",
                                        "get_weather",
                                        "{\"city\":\"Oslo\"}"),
                                ToolCall.function("call_x", "get_weather", "{\"city\":\"Bergen\"}"))),
                        FinishReason.TOOL_CALLS,
                        new Usage(122, 33, 155),
                        null));
    }

    @Test
    void readsALengthStop() throws Exception {
        server.answer(Reply.json(200, """
                {"model": "llama3.2", "message": {"role": "assistant", "content": "The sky is"},
                 "done_reason": "length", "done": true, "prompt_eval_count": 8, "eval_count": 3}"""));

        BackendOutcome.Completed completed =
                (BackendOutcome.Completed) ask(hello().maxTokens(3).build());

        assertThat(completed.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(completed.answer()).isEqualTo("The sky is");
        assertThat(server.only().json().path("options").path("num_predict").asInt())
                .isEqualTo(3);
    }

    @Test
    void theModelsThinkingIsNotPartOfTheAnswer() throws Exception {
        server.answer(Reply.json(200, """
                {"model": "qwen3:8b", "message": {"role": "assistant", "content": "Blue.", "thinking": "Rayleigh..."},
                 "done_reason": "stop", "done": true, "prompt_eval_count": 8, "eval_count": 30}"""));

        BackendOutcome outcome = ask(hello().reasoningEffort("high").build());

        assertThat(outcome).isEqualTo(new BackendOutcome.Completed("qwen3:8b", "Blue.", new Usage(8, 30, 38)));
    }

    static Stream<Arguments> unsupported() {
        return Stream.of(
                refused("/logit_bias", chat -> chat.logitBias(Map.of("50256", -100))),
                refused("/tool_choice", chat -> withTool(chat).toolChoice(ToolChoice.Mode.REQUIRED)),
                refused("/tool_choice", chat -> withTool(chat).toolChoice(new ToolChoice.Function("get_weather"))),
                refused("/parallel_tool_calls", chat -> withTool(chat).parallelToolCalls(false)),
                refused("/user", chat -> chat.user("end-user-7")),
                refused("/tools/0/function/strict", chat -> chat.tools(List.of(tool(true)))),
                refused("/reasoning_effort", chat -> chat.reasoningEffort("minimal")),
                refused("/reasoning_effort", chat -> chat.reasoningEffort("xhigh")),
                refused(
                        "/response_format/json_schema/description",
                        chat -> chat.responseFormat(new ResponseFormat.JsonSchema(new ResponseFormat.Schema(
                                "answer", "what it is for", Json.mapper().createObjectNode(), null)))),
                refused(
                        "/extra/options/temperature",
                        chat -> chat.temperature(0.2)
                                .extra(Json.mapper()
                                        .createObjectNode()
                                        .set(
                                                "options",
                                                Json.mapper().createObjectNode().put("temperature", 0.9)))),
                refusedMessage(
                        "/messages/1/name",
                        new ChatMessage(Role.USER, MessageContent.of("hi"), "ada", null, null, null)),
                refusedMessage("/messages/1/content/0/image_url/url", image("https://example.com/cat.png", null)),
                refusedMessage("/messages/1/content/0/image_url/detail", image("data:image/png;base64,AAAA", "high")),
                refusedMessage(
                        "/messages/1/tool_calls/0/function/arguments",
                        ChatMessage.assistant(List.of(ToolCall.function("call_1", "get_weather", "[\"Oslo\"]")))));
    }

    private static Arguments refused(String pointer, UnaryOperator<ChatRequest.Builder> ask) {
        return Arguments.of(pointer, ask.apply(hello()).build());
    }

    private static Arguments refusedMessage(String pointer, ChatMessage message) {
        return Arguments.of(
                pointer,
                ChatRequest.builder(List.of(ChatMessage.system("s"), message)).build());
    }

    private static ChatRequest.Builder withTool(ChatRequest.Builder chat) {
        return chat.tools(List.of(tool(null)));
    }

    private static Tool tool(Boolean strict) {
        return Tool.function(new FunctionDefinition("get_weather", null, null, strict));
    }

    private static ChatMessage image(String url, String detail) {
        return new ChatMessage(
                Role.USER,
                new MessageContent.Parts(List.of(new ContentPart.Image(new ContentPart.ImageUrl(url, detail)))),
                null,
                null,
                null,
                null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unsupported")
    void refusesWhatOllamaCannotHonourNamingTheFieldWithoutACall(String pointer, ChatRequest chat) throws Exception {
        BackendOutcome outcome = ask(chat);

        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).startsWith("llama cannot honour " + pointer + ": ");
        assertThat(server.received()).isEmpty();
    }
}
