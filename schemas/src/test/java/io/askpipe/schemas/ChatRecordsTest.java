package io.askpipe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chat records on the wire: OpenAI's names and shapes, checked against the JSON Schemas. */
class ChatRecordsTest {
    private static final String ID = "0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a";
    private static final Instant NOW = Instant.parse("2026-11-26T10:15:30.123Z");

    private static JsonNode json(String text) throws Exception {
        return Json.mapper().readTree(text);
    }

    /** A conversation with every role, parts, a tool call and its answer, and every parameter set. */
    static ChatRequest everything() throws Exception {
        ObjectNode weather = (ObjectNode)
                json("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}");
        ObjectNode answer = (ObjectNode) json(
                "{\"type\":\"object\",\"properties\":{\"summary\":{\"type\":\"string\"}},\"required\":[\"summary\"]}");
        return ChatRequest.builder(List.of(
                        ChatMessage.system("You are terse."),
                        ChatMessage.of(Role.DEVELOPER, "Answer in JSON."),
                        new ChatMessage(
                                Role.USER,
                                new MessageContent.Parts(List.of(
                                        new ContentPart.Text("What is in this picture, and the weather there?"),
                                        new ContentPart.Image(
                                                new ContentPart.ImageUrl("data:image/png;base64,iVBORw0KGgo=", "low")),
                                        ContentPart.Image.of("https://images.example.com/paris.jpg"))),
                                "alice",
                                null,
                                null,
                                null),
                        ChatMessage.assistant(
                                List.of(ToolCall.function("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                        ChatMessage.tool("call_1", "{\"celsius\":21}")))
                .model("gpt-4o-mini")
                .temperature(0.2)
                .topP(0.9)
                .maxTokens(200)
                .maxCompletionTokens(300)
                .stop(List.of("END"))
                .seed(42L)
                .presencePenalty(0.5)
                .frequencyPenalty(-0.5)
                .logitBias(Map.of("50256", -100, "1234", 5))
                .n(1)
                .responseFormat(new ResponseFormat.JsonSchema(
                        new ResponseFormat.Schema("picture_report", "What the picture shows", answer, true)))
                .tools(List.of(
                        Tool.function(new FunctionDefinition("get_weather", "The weather in a city", weather, false))))
                .toolChoice(new ToolChoice.Function("get_weather"))
                .parallelToolCalls(false)
                .user("end-user-7")
                .reasoningEffort("low")
                .extra((ObjectNode) json("{\"service_tier\":\"flex\"}"))
                .build();
    }

    @Test
    void aChatAskRoundTripsInOpenAisShapeAndMatchesItsSchema() throws Exception {
        AskRequest ask = new AskRequest(
                ID,
                "alice",
                "key-1",
                everything(),
                "openai",
                NOW,
                "https://hooks.example.com/a",
                Map.of("team", "search"),
                null);
        JsonSerde<AskRequest> serde = JsonSerde.of(AskRequest.class);
        byte[] bytes = serde.serialize("ask.requests", ask);
        JsonNode wire = json(new String(bytes, StandardCharsets.UTF_8));

        assertThat(serde.deserialize("ask.requests", bytes)).isEqualTo(ask);
        assertThat(JsonSchemaFiles.schema("ask-request.schema.json").validate(wire))
                .isEmpty();
        assertThat(wire.get("schema_version").asInt()).isEqualTo(2);
        assertThat(wire.at("/chat/messages/2/content/0/type").asText()).isEqualTo("text");
        assertThat(wire.at("/chat/messages/2/content/1/type").asText()).isEqualTo("image_url");
        assertThat(wire.at("/chat/messages/2/content/1/image_url/url").asText()).startsWith("data:image/png;base64,");
        assertThat(wire.at("/chat/messages/2/content/1/image_url/detail").asText())
                .isEqualTo("low");
        assertThat(wire.at("/chat/messages/2/content/2/image_url").has("detail"))
                .isFalse();
        assertThat(wire.at("/chat/messages/3").has("content"))
                .as("absent, not null")
                .isFalse();
        assertThat(wire.at("/chat/messages/3/tool_calls/0/type").asText()).isEqualTo("function");
        assertThat(wire.at("/chat/messages/3/tool_calls/0/function/arguments").asText())
                .isEqualTo("{\"city\":\"Paris\"}");
        assertThat(wire.at("/chat/messages/4/tool_call_id").asText()).isEqualTo("call_1");
        assertThat(wire.at("/chat/stop").isArray()).isTrue();
        assertThat(wire.at("/chat/logit_bias").fieldNames()).toIterable().containsExactly("1234", "50256");
        assertThat(wire.at("/chat/response_format/type").asText()).isEqualTo("json_schema");
        assertThat(wire.at("/chat/response_format/json_schema/name").asText()).isEqualTo("picture_report");
        assertThat(wire.at("/chat/response_format/json_schema/schema/required/0")
                        .asText())
                .isEqualTo("summary");
        assertThat(wire.at("/chat/tools/0/function/parameters/properties/city/type")
                        .asText())
                .isEqualTo("string");
        assertThat(wire.at("/chat/tool_choice"))
                .isEqualTo(json("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}"));
        assertThat(wire.at("/chat/max_completion_tokens").asInt()).isEqualTo(300);
        assertThat(wire.at("/chat/reasoning_effort").asText()).isEqualTo("low");
        assertThat(wire.at("/chat/extra/service_tier").asText()).isEqualTo("flex");
        assertThat(wire.at("/metadata/team").asText()).isEqualTo("search");
        assertThat(ask.prompt()).isEqualTo("What is in this picture, and the weather there?");
    }

    @Test
    void absentFieldsStayAbsent() throws Exception {
        JsonNode wire = Json.mapper().valueToTree(ChatRequest.ofPrompt("hi", null));

        assertThat(wire).isEqualTo(json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    }

    @Test
    void stopWrittenAsAStringReadsAsAList() throws Exception {
        ChatRequest chat = Json.mapper()
                .readValue(
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stop\":\"END\"}", ChatRequest.class);

        assertThat(chat.stop()).containsExactly("END");
    }

    @Test
    void everyToolChoiceAndResponseFormatReadsBack() throws Exception {
        for (ToolChoice choice : List.of(
                ToolChoice.Mode.NONE, ToolChoice.Mode.AUTO, ToolChoice.Mode.REQUIRED, new ToolChoice.Function("f"))) {
            String wire = Json.mapper().writeValueAsString(choice);
            assertThat(Json.mapper().readValue(wire, ToolChoice.class)).isEqualTo(choice);
        }
        assertThat(Json.mapper().writeValueAsString(ToolChoice.Mode.REQUIRED)).isEqualTo("\"required\"");
        for (ResponseFormat format : List.of(ResponseFormat.TEXT, ResponseFormat.JSON_OBJECT)) {
            String wire = Json.mapper().writeValueAsString(format);
            assertThat(Json.mapper().readValue(wire, ResponseFormat.class)).isEqualTo(format);
        }
        assertThat(Json.mapper().writeValueAsString(ResponseFormat.JSON_OBJECT))
                .isEqualTo("{\"type\":\"json_object\"}");
    }

    @Test
    void aResultWithTheWholeReplyMatchesItsSchema() throws Exception {
        AskResult result = AskResult.succeeded(
                        ID,
                        "openai",
                        "gpt-4o-mini",
                        "",
                        Usage.of(120, 30).withCachedTokens(64).withReasoningTokens(12),
                        850,
                        1,
                        NOW)
                .withReply(
                        ChatMessage.assistant(
                                List.of(ToolCall.function("call_9", "get_weather", "{\"city\":\"Oslo\"}"))),
                        FinishReason.TOOL_CALLS,
                        "fp_44709d6fcb");
        JsonSerde<AskResult> serde = JsonSerde.of(AskResult.class);
        byte[] bytes = serde.serialize("ask.results", result);
        JsonNode wire = json(new String(bytes, StandardCharsets.UTF_8));

        assertThat(serde.deserialize("ask.results", bytes)).isEqualTo(result);
        assertThat(JsonSchemaFiles.schema("ask-result.schema.json").validate(wire))
                .isEmpty();
        assertThat(wire.get("finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(wire.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(wire.at("/message/tool_calls/0/function/name").asText()).isEqualTo("get_weather");
        assertThat(wire.at("/usage/prompt_tokens_details/cached_tokens").asInt())
                .isEqualTo(64);
        assertThat(wire.at("/usage/completion_tokens_details/reasoning_tokens").asInt())
                .isEqualTo(12);
        assertThat(wire.get("system_fingerprint").asText()).isEqualTo("fp_44709d6fcb");
        assertThat(wire.get("answer").asText())
                .as("the text of a message without any")
                .isEmpty();
    }

    @Test
    void theAnswerIsTheTextOfTheReplysMessage() {
        AskResult result = AskResult.succeeded(ID, "openai", "m", "draft", Usage.of(1, 2), 5, 1, NOW)
                .withReply(ChatMessage.assistant("The sky scatters blue light."), FinishReason.STOP, null);

        assertThat(result.answer()).isEqualTo("The sky scatters blue light.");
        assertThat(result.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(result.systemFingerprint()).isNull();
    }

    @Test
    void onlyASuccessHasAReplyAndOnlyTheAssistantsMessageIsOne() {
        AskResult failed = AskResult.failed(ID, "openai", "m", new AskError(ErrorType.TIMEOUT, "slow"), 5, 1, NOW);
        assertThatThrownBy(() -> failed.withReply(ChatMessage.assistant("x"), FinishReason.STOP, null))
                .isInstanceOf(IllegalStateException.class);
        AskResult succeeded = AskResult.succeeded(ID, "openai", "m", "x", Usage.of(1, 2), 5, 1, NOW);
        assertThatThrownBy(() -> succeeded.withReply(ChatMessage.user("x"), FinishReason.STOP, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aResultOfAnOlderVersionReadsWithoutTheReplyAndMatchesTheSchema() throws Exception {
        String older = """
                {"backend":"dryrun","model":"dryrun-echo","answer":"[dryrun] hi","usage":{"prompt_tokens":1,\
                "completion_tokens":2,"total_tokens":3},"latency_ms":4,"req_id":"0195f1a8-7b6e-7c3d-9a2b-4f5e6d7c8b9a",\
                "status":"succeeded","attempts":1,"completed_at":"2026-11-26T10:15:30Z"}""";

        AskResult result =
                JsonSerde.of(AskResult.class).deserialize("ask.results", older.getBytes(StandardCharsets.UTF_8));

        assertThat(result.answer()).isEqualTo("[dryrun] hi");
        assertThat(result.finishReason()).isNull();
        assertThat(result.message()).isNull();
        assertThat(result.usage()).isEqualTo(new Usage(1, 2, 3));
        assertThat(Json.mapper().writeValueAsString(result)).isEqualToIgnoringWhitespace(older);
        assertThat(JsonSchemaFiles.schema("ask-result.schema.json").validate(json(older)))
                .isEmpty();
    }

    @Test
    void aFailedResultWithAFinishReasonDoesNotMatchTheSchema() throws Exception {
        ObjectNode failed = Json.mapper()
                .valueToTree(AskResult.failed(ID, "openai", "m", new AskError(ErrorType.TIMEOUT, "slow"), 5, 1, NOW));
        failed.put("finish_reason", "stop");

        assertThat(JsonSchemaFiles.schema("ask-result.schema.json").validate(failed))
                .isNotEmpty();
    }

    @Test
    void theSchemaChecksTheChatBodyInsideAnAsk() throws Exception {
        AskRequest ask = new AskRequest(ID, "alice", "key-1", everything(), null, NOW);
        ObjectNode valid = Json.mapper().valueToTree(ask);
        var schema = JsonSchemaFiles.schema("ask-request.schema.json");
        assertThat(schema.validate(valid)).isEmpty();

        for (String[] change : List.of(
                new String[] {"/chat", "temperature", "2.5"},
                new String[] {"/chat", "n", "2"},
                new String[] {"/chat/messages/0", "role", "\"robot\""},
                new String[] {"/chat/messages/2/content/1/image_url", "url", "\"http://images.example.com/a.png\""},
                new String[] {"/chat/messages/4", "tool_call_id", "null"},
                new String[] {"/chat/response_format/json_schema", "name", "\"has spaces\""})) {
            ObjectNode invalid = valid.deepCopy();
            ((ObjectNode) invalid.at(change[0])).set(change[1], json(change[2]));
            assertThat(schema.validate(invalid)).as(change[0] + "/" + change[1]).isNotEmpty();
        }
    }
}
