package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageParam;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole pipeline (ingest, Kafka, the router, the result store) against a fake server of each
 * vendor that reads our requests with the vendor's official SDK (plain Jackson for Ollama, which has
 * none): a system prompt and a conversation with a tool call and its result, a {@code json_schema}
 * answer, an inline image and a {@code length} stop, each checked as the vendor received it and as
 * the client reads it back, both as askpipe's result and as the {@code chat.completion} that {@code
 * openai-java} parses.
 */
class VendorPipelineIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("vendors") + ".";
    private static final String IMAGE = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk";
    private static final String SYSTEM = "You are a travel assistant. Answer with a plan.";
    private static final String WEATHER = """
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""";
    private static final String PLAN = """
            {"type": "object", "properties": {"morning": {"type": "string"}, "afternoon": {"type": "string"}},
             "required": ["morning", "afternoon"]}""";
    /** A conversation with an image, an assistant's tool call and its result: fields every backend honours. */
    private static final String CONVERSATION = """
            {"backend": "%s", "model": "%s",
             "messages": [
               {"role": "system", "content": "%s"},
               {"role": "user", "content": [{"type": "text", "text": "Where was this photo taken?"},
                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,%s"}}]},
               {"role": "assistant", "content": "In Lisbon."},
               {"role": "user", "content": "What is the weather there?"},
               {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                  "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Lisbon\\"}"}}]},
               {"role": "tool", "tool_call_id": "call_1", "content": "24 C, sunny"},
               {"role": "user", "content": "Plan my day, and look up Porto too."}],
             "tools": [{"type": "function", "function": {"name": "get_weather",
                "description": "The weather in a city now", "parameters": %s}}],
             "response_format": {"type": "json_schema", "json_schema": {"name": "plan", "schema": %s, "strict": true}},
             "temperature": 0.2%s}""";

    private static final String LENGTH = """
            {"backend": "%s", "model": "%s", "prompt": "Describe Lisbon in one paragraph.", "max_tokens": 3}""";

    private static final AtomicInteger keys = new AtomicInteger();
    private static final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static FakeOpenAiServer openAi;
    private static FakeAnthropicServer anthropic;
    private static FakeOllamaServer ollama;
    private static DevStack stack;
    private static URI base;
    private static String bearer;

    @BeforeAll
    static void start() {
        openAi = new FakeOpenAiServer();
        anthropic = new FakeAnthropicServer();
        ollama = new FakeOllamaServer();
        stack = TestStacks.start(
                PREFIX,
                Map.of(
                        "OPENAI_BASE_URL",
                        openAi.baseUrl(),
                        "OPENAI_API_KEY",
                        "sk-test-vendors",
                        "LLAMA_BASE_URL",
                        ollama.baseUrl(),
                        "ANTHROPIC_BASE_URL",
                        anthropic.baseUrl(),
                        "ANTHROPIC_API_KEY",
                        "sk-ant-test-vendors"));
        base = URI.create(stack.clientUrl());
        bearer = "Bearer " + stack.issueDevKey().secret();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        for (AutoCloseable fake : new AutoCloseable[] {openAi, anthropic, ollama}) {
            try (fake) {
                // closed
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    @SuppressWarnings("deprecation") // max_tokens is deprecated by OpenAI, still carried by askpipe
    void openAiGetsTheWholeConversationAndItsAnswerComesBackAsAChatCompletion() throws Exception {
        JsonNode done = ask(conversation("openai", "gpt-4o-2024-08-06", ""));

        ChatCompletionCreateParams.Body sent = openAi.last();
        assertThat(openAi.lastRequest().headers()).containsEntry("authorization", "Bearer sk-test-vendors");
        assertThat(sent.model().asString()).isEqualTo("gpt-4o-2024-08-06");
        List<ChatCompletionMessageParam> messages = sent.messages();
        assertThat(messages).hasSize(7);
        assertThat(messages.get(0).asSystem().content().asText()).isEqualTo(SYSTEM);
        List<ChatCompletionContentPart> parts =
                messages.get(1).asUser().content().asArrayOfContentParts();
        assertThat(parts.get(0).asText().text()).isEqualTo("Where was this photo taken?");
        assertThat(parts.get(1).asImageUrl().imageUrl().url()).isEqualTo("data:image/png;base64," + IMAGE);
        assertThat(messages.get(2).asAssistant().content().orElseThrow().asText())
                .isEqualTo("In Lisbon.");
        assertThat(messages.get(3).asUser().content().asText()).isEqualTo("What is the weather there?");
        ChatCompletionMessageFunctionToolCall called = messages.get(4)
                .asAssistant()
                .toolCalls()
                .orElseThrow()
                .getFirst()
                .asFunction();
        assertThat(called.id()).isEqualTo("call_1");
        assertThat(called.function().name()).isEqualTo("get_weather");
        assertThat(tree(called.function().arguments())).isEqualTo(tree("{\"city\": \"Lisbon\"}"));
        assertThat(messages.get(5).asTool().toolCallId()).isEqualTo("call_1");
        assertThat(messages.get(5).asTool().content().asText()).isEqualTo("24 C, sunny");
        assertThat(messages.get(6).asUser().content().asText()).isEqualTo("Plan my day, and look up Porto too.");
        var format = sent.responseFormat().orElseThrow().asJsonSchema().jsonSchema();
        assertThat(format.name()).isEqualTo("plan");
        assertThat(format.strict()).contains(true);
        assertThat(openAiTree(format.schema().orElseThrow())).isEqualTo(tree(PLAN));
        var function = sent.tools().orElseThrow().getFirst().asFunction().function();
        assertThat(function.name()).isEqualTo("get_weather");
        assertThat(openAiTree(function.parameters().orElseThrow())).isEqualTo(tree(WEATHER));
        assertThat(sent.temperature()).contains(0.2);
        assertThat(sent._additionalProperties()).isEmpty();

        JsonNode result = done.get("result");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(result.get("backend").asText()).isEqualTo("openai");
        assertThat(result.get("model").asText()).isEqualTo("gpt-4o-2024-08-06");
        assertThat(result.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(result.get("answer").asText()).isEmpty();
        ResultChecks.toolCall(result, FakeOpenAiServer.CALL_ID);
        ResultChecks.usage(result, 120, 30, 64, 12);
        assertThat(result.get("system_fingerprint").asText()).isEqualTo(FakeOpenAiServer.FINGERPRINT);
        ChatCompletion completion = completion(done);
        assertThat(completion.choices().getFirst().message().content()).isEmpty();
        assertThat(completion.systemFingerprint()).contains(FakeOpenAiServer.FINGERPRINT);

        JsonNode cut = ask(LENGTH.formatted("openai", "gpt-4o-mini"));
        assertThat(openAi.last().maxTokens()).contains(3L);
        assertCut(cut, "openai", "gpt-4o-mini", FakeOpenAiServer.CUT_TEXT);
    }

    @Test
    void aTwoMegabyteDocumentReachesTheVendorWhole() throws Exception {
        String document = "The quick brown fox jumps over the lazy dog. ".repeat(48_000);
        String body = Json.mapper()
                .writeValueAsString(Map.of(
                        "backend",
                        "openai",
                        "model",
                        "gpt-4o-mini",
                        "max_tokens",
                        FakeOpenAiServer.CUT_AT,
                        "messages",
                        List.of(
                                Map.of("role", "system", "content", "Summarize the document."),
                                Map.of("role", "user", "content", document))));
        assertThat(body.length()).isGreaterThan(2_000_000);

        JsonNode done = ask(body);

        List<ChatCompletionMessageParam> messages = openAi.last().messages();
        assertThat(messages.get(1).asUser().content().asText()).isEqualTo(document);
        assertThat(done.get("result").get("finish_reason").asText()).isEqualTo("length");
        assertThat(completion(done).choices().getFirst().message().content()).contains(FakeOpenAiServer.CUT_TEXT);
    }

    @Test
    void anthropicGetsTheWholeConversationAfterA529AndItsAnswerComesBackAsAChatCompletion() throws Exception {
        JsonNode done = ask(conversation("anthropic", "claude-sonnet-4-5", ""));

        List<MessageCreateParams> received = anthropic.received();
        assertThat(received).as("the 529, then its retry").hasSize(2);
        assertThat(received.get(1)).isEqualTo(received.get(0));
        assertThat(anthropic.lastRequest().headers())
                .containsEntry("x-api-key", "sk-ant-test-vendors")
                .containsEntry("anthropic-version", "2023-06-01");
        MessageCreateParams sent = received.getLast();
        assertThat(sent.model().asString()).isEqualTo("claude-sonnet-4-5");
        assertThat(sent.system().orElseThrow().asString()).isEqualTo(SYSTEM);
        assertThat(sent.maxTokens()).as("ANTHROPIC_MAX_TOKENS").isEqualTo(8192);
        assertThat(anthropicTree(sent._additionalBodyProperties()))
                .as("temperature, which the SDK's API version no longer has: carried as sent")
                .isEqualTo(tree("{\"temperature\": 0.2}"));
        List<MessageParam> turns = sent.messages();
        assertThat(turns)
                .extracting(turn -> turn.role().asString())
                .containsExactly("user", "assistant", "user", "assistant", "user");
        List<ContentBlockParam> first = blocks(turns.get(0));
        assertThat(first.get(0).asText().text()).isEqualTo("Where was this photo taken?");
        var image = first.get(1).asImage().source().asBase64();
        assertThat(image.mediaType().asString()).isEqualTo("image/png");
        assertThat(image.data()).isEqualTo(IMAGE);
        assertThat(blocks(turns.get(1)).getFirst().asText().text()).isEqualTo("In Lisbon.");
        assertThat(blocks(turns.get(2)).getFirst().asText().text()).isEqualTo("What is the weather there?");
        var use = blocks(turns.get(3)).getFirst().asToolUse();
        assertThat(use.id()).isEqualTo("call_1");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(anthropicTree(use.input())).isEqualTo(tree("{\"city\": \"Lisbon\"}"));
        List<ContentBlockParam> last = blocks(turns.get(4));
        assertThat(last.get(0).asToolResult().toolUseId()).isEqualTo("call_1");
        assertThat(last.get(0).asToolResult().content().orElseThrow().asString())
                .isEqualTo("24 C, sunny");
        assertThat(last.get(1).asText().text()).isEqualTo("Plan my day, and look up Porto too.");
        var format = sent.outputConfig().orElseThrow().format().orElseThrow();
        assertThat(anthropicTree(format.schema())).isEqualTo(tree(PLAN));
        var tool = sent.tools().orElseThrow().getFirst().asTool();
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.description()).contains("The weather in a city now");
        assertThat(anthropicTree(tool.inputSchema())).isEqualTo(tree(WEATHER));

        JsonNode result = done.get("result");
        assertThat(done.get("attempts").asInt()).as("the 529 retried").isEqualTo(2);
        assertThat(result.get("backend").asText()).isEqualTo("anthropic");
        assertThat(result.get("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(result.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(result.get("answer").asText()).isEqualTo(FakeAnthropicServer.PREAMBLE);
        ResultChecks.toolCall(result, FakeAnthropicServer.TOOL_USE_ID);
        ResultChecks.usage(result, 120, 15, 20, 4);
        assertThat(result.has("system_fingerprint")).isFalse();
        ChatCompletion completion = completion(done);
        assertThat(completion.choices().getFirst().message().content()).contains(FakeAnthropicServer.PREAMBLE);

        JsonNode cut = ask(LENGTH.formatted("anthropic", "claude-haiku-4-5"));
        assertThat(anthropic.received().getLast().maxTokens()).isEqualTo(3);
        assertCut(cut, "anthropic", "claude-haiku-4-5", FakeAnthropicServer.CUT_TEXT);
    }

    @Test
    void ollamaGetsTheWholeConversationWithTheImageInlineAndItsAnswerComesBackAsAChatCompletion() throws Exception {
        JsonNode done = ask(conversation("llama", "qwen3:8b", ""));

        JsonNode sent = ollama.last();
        assertThat(sent.get("model").asText()).isEqualTo("qwen3:8b");
        assertThat(sent.get("stream").asBoolean(true)).isFalse();
        assertThat(sent.get("messages")).isEqualTo(tree("""
                [{"role": "system", "content": "%s"},
                 {"role": "user", "content": "Where was this photo taken?", "images": ["%s"]},
                 {"role": "assistant", "content": "In Lisbon."},
                 {"role": "user", "content": "What is the weather there?"},
                 {"role": "assistant", "content": "",
                  "tool_calls": [{"id": "call_1", "function": {"name": "get_weather", "arguments": {"city": "Lisbon"}}}]},
                 {"role": "tool", "content": "24 C, sunny", "tool_name": "get_weather", "tool_call_id": "call_1"},
                 {"role": "user", "content": "Plan my day, and look up Porto too."}]""".formatted(SYSTEM, IMAGE)));
        assertThat(sent.get("format")).isEqualTo(tree(PLAN));
        assertThat(sent.get("tools")).isEqualTo(tree("""
                [{"type": "function", "function": {"name": "get_weather", "description": "The weather in a city now",
                  "parameters": %s}}]""".formatted(WEATHER)));
        assertThat(sent.get("options")).isEqualTo(tree("{\"temperature\": 0.2}"));

        JsonNode result = done.get("result");
        String id = done.get("request_id").asText();
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(result.get("backend").asText()).isEqualTo("llama");
        assertThat(result.get("model").asText()).isEqualTo("qwen3:8b");
        assertThat(result.get("finish_reason").asText()).isEqualTo("tool_calls");
        ResultChecks.toolCall(result, "call_" + id.replaceAll("[^A-Za-z0-9]", "") + "_0");
        ResultChecks.usage(result, 61, 9, -1, -1);
        completion(done);

        JsonNode cut = ask(LENGTH.formatted("llama", "llama3.2"));
        assertThat(ollama.last().get("options").get("num_predict").asInt()).isEqualTo(3);
        assertCut(cut, "llama", "llama3.2", FakeOllamaServer.CUT_TEXT);
    }

    @Test
    void dryrunAnswersTheSameConversationWithAToolCallJsonOrALengthStop() throws Exception {
        JsonNode called = ask(conversation("dryrun", "dryrun-echo", ", \"tool_choice\": \"required\""));
        JsonNode result = called.get("result");
        assertThat(result.get("finish_reason").asText()).isEqualTo("tool_calls");
        JsonNode call = result.get("message").get("tool_calls").get(0);
        assertThat(call.get("id").asText()).isEqualTo("call_dryrun_7");
        assertThat(call.get("function").get("name").asText()).isEqualTo("get_weather");
        assertThat(tree(call.get("function").get("arguments").asText())
                        .get("city")
                        .isTextual())
                .isTrue();
        completion(called);

        JsonNode planned = ask(conversation("dryrun", "dryrun-echo", ""));
        assertThat(planned.get("result").get("finish_reason").asText()).isEqualTo("stop");
        JsonNode plan = tree(planned.get("result").get("answer").asText());
        assertThat(plan.get("morning").isTextual()).isTrue();
        assertThat(plan.get("afternoon").isTextual()).isTrue();
        completion(planned);

        JsonNode cut = ask(LENGTH.formatted("dryrun", "dryrun-echo"));
        assertThat(cut.get("result").get("finish_reason").asText()).isEqualTo("length");
        assertThat(cut.get("result").get("answer").asText()).isEqualTo("[dryrun] Describe Lisbon");
        completion(cut);
    }

    private static String conversation(String backend, String model, String more) {
        return CONVERSATION.formatted(backend, model, SYSTEM, IMAGE, WEATHER, PLAN, more);
    }

    /** Submits {@code body} and waits for its ask to succeed: its {@code GET /v1/ask/{id}} view. */
    private static JsonNode ask(String body) throws Exception {
        HttpResponse<String> accepted = http.send(
                HttpRequest.newBuilder(base.resolve("/v1/ask"))
                        .header("Authorization", bearer)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", PREFIX + keys.incrementAndGet())
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = tree(accepted.body()).get("request_id").asText();
        JsonNode done = await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(
                        () -> tree(get("/v1/ask/" + id + "?wait=5").body()),
                        view -> !view.get("status").asText().matches("queued|running"));
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("succeeded");
        return done;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("Authorization", bearer)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The ask's {@code GET /v1/ask/{id}/completion}, checked against its result. */
    private static ChatCompletion completion(JsonNode done) throws Exception {
        HttpResponse<String> response = get("/v1/ask/" + done.get("request_id").asText() + "/completion");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return ResultChecks.completionOf(done, response.body());
    }

    /** A vendor's cut answer came back as a {@code length} stop, in the result and in the completion. */
    private static void assertCut(JsonNode done, String backend, String model, String text) throws Exception {
        JsonNode result = done.get("result");
        assertThat(result.get("backend").asText()).isEqualTo(backend);
        assertThat(result.get("model").asText()).isEqualTo(model);
        assertThat(result.get("finish_reason").asText()).isEqualTo("length");
        assertThat(result.get("answer").asText()).isEqualTo(text);
        assertThat(result.at("/message/content").asText()).isEqualTo(text);
        ChatCompletion completion = completion(done);
        assertThat(completion.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    }

    private static List<ContentBlockParam> blocks(MessageParam turn) {
        return turn.content().isString()
                ? List.of(ContentBlockParam.ofText(com.anthropic.models.messages.TextBlockParam.builder()
                        .text(turn.content().asString())
                        .build()))
                : turn.content().asContentBlockParams();
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    private static JsonNode openAiTree(Object sdkValue) throws Exception {
        return tree(ObjectMappers.jsonMapper().writeValueAsString(sdkValue));
    }

    private static JsonNode anthropicTree(Object sdkValue) throws Exception {
        return tree(com.anthropic.core.ObjectMappers.jsonMapper().writeValueAsString(sdkValue));
    }
}
