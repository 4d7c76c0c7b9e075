package io.askpipe.ingest.validate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.common.http.ProblemException;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.ContentPart;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.MessageContent;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolCall;
import io.askpipe.schemas.chat.ToolChoice;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ChatBodyReaderTest {
    private static JsonNode json(String text) {
        try {
            return Json.mapper().readTree(text);
        } catch (Exception e) {
            throw new AssertionError(text, e);
        }
    }

    private static ChatRequest read(String body) {
        return ChatBodyReader.read(json(body), 1000);
    }

    /** Asserts that {@code reading} is refused naming {@code pointer}, and returns the detail. */
    private static String refused(ThrowingCallable reading, String pointer) {
        var thrown = catchProblem(reading);
        assertThat(thrown.errors()).hasSize(1);
        assertThat(thrown.errors().getFirst().pointer()).isEqualTo(pointer);
        return thrown.errors().getFirst().detail();
    }

    private static ProblemException catchProblem(ThrowingCallable reading) {
        try {
            reading.call();
        } catch (ProblemException e) {
            return e;
        } catch (Throwable e) {
            throw new AssertionError("not a problem", e);
        }
        throw new AssertionError("not refused");
    }

    @Test
    void aPromptIsOneUserMessageAndNothingElseIsSet() {
        assertThat(read("{\"prompt\":\"Why is the sky blue?\",\"model\":\"gpt-4o\"}"))
                .isEqualTo(ChatRequest.ofPrompt("Why is the sky blue?", "gpt-4o"));
        assertThat(read("{\"prompt\":\"hi\",\"temperature\":null,\"stop\":null,\"metadata\":null}"))
                .as("null is absent, as OpenAI reads it")
                .isEqualTo(ChatRequest.ofPrompt("hi", null));
    }

    @Test
    void readsEveryCarriedFieldIntoItsCanonicalForm() {
        ChatRequest chat = read("""
                {"model": "gpt-4o-mini",
                 "messages": [
                   {"role": "developer", "content": "Answer in JSON."},
                   {"role": "user", "name": "alice", "content": [
                     {"type": "text", "text": "What is this?"},
                     {"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGRg==", "detail": "high"}}]},
                   {"role": "assistant", "content": null,
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "look_up", "arguments": "{}"}}]},
                   {"role": "tool", "tool_call_id": "c1", "content": "a cat"},
                   {"role": "assistant", "refusal": "I cannot say."}],
                 "temperature": 1, "top_p": 0.5, "max_tokens": 64, "max_completion_tokens": 128,
                 "stop": "\\n", "seed": -3, "presence_penalty": -2, "frequency_penalty": 2,
                 "logit_bias": {"50256": -100, "11": 100}, "n": 1,
                 "response_format": {"type": "json_object"},
                 "tools": [{"type": "function", "function": {"name": "look_up", "description": "Looks it up",
                            "parameters": {"type": "object"}, "strict": true}}],
                 "tool_choice": {"type": "function", "function": {"name": "look_up"}},
                 "parallel_tool_calls": false, "user": "u-7", "reasoning_effort": "minimal",
                 "extra": {"top_k": 40, "service_tier": "flex"}}""");

        assertThat(chat.messages())
                .containsExactly(
                        ChatMessage.of(Role.DEVELOPER, "Answer in JSON."),
                        new ChatMessage(
                                Role.USER,
                                new MessageContent.Parts(List.of(
                                        new ContentPart.Text("What is this?"),
                                        new ContentPart.Image(
                                                new ContentPart.ImageUrl("data:image/webp;base64,UklGRg==", "high")))),
                                "alice",
                                null,
                                null,
                                null),
                        ChatMessage.assistant(List.of(ToolCall.function("c1", "look_up", "{}"))),
                        ChatMessage.tool("c1", "a cat"),
                        new ChatMessage(Role.ASSISTANT, null, null, null, null, "I cannot say."));
        assertThat(chat.model()).isEqualTo("gpt-4o-mini");
        assertThat(chat.temperature()).isEqualTo(1.0);
        assertThat(chat.topP()).isEqualTo(0.5);
        assertThat(chat.maxTokens()).isEqualTo(64);
        assertThat(chat.maxCompletionTokens()).isEqualTo(128);
        assertThat(chat.stop()).as("always a list").containsExactly("\n");
        assertThat(chat.seed()).isEqualTo(-3L);
        assertThat(chat.presencePenalty()).isEqualTo(-2.0);
        assertThat(chat.frequencyPenalty()).isEqualTo(2.0);
        assertThat(chat.logitBias()).containsExactly(Map.entry("11", 100), Map.entry("50256", -100));
        assertThat(chat.n()).isEqualTo(1);
        assertThat(chat.responseFormat()).isEqualTo(ResponseFormat.JSON_OBJECT);
        assertThat(chat.tools())
                .containsExactly(Tool.function(
                        new FunctionDefinition("look_up", "Looks it up", json("{\"type\":\"object\"}"), true)));
        assertThat(chat.toolChoice()).isEqualTo(new ToolChoice.Function("look_up"));
        assertThat(chat.parallelToolCalls()).isFalse();
        assertThat(chat.user()).isEqualTo("u-7");
        assertThat(chat.reasoningEffort()).isEqualTo("minimal");
        assertThat(chat.extra()).isEqualTo(json("{\"top_k\": 40, \"service_tier\": \"flex\"}"));
        assertThat(chat.lastUserText()).contains("What is this?");
    }

    @Test
    void aJsonSchemaAnswerKeepsItsSchemaAsWritten() {
        ChatRequest chat = read("""
                {"prompt": "Summarize.", "response_format": {"type": "json_schema", "json_schema": {
                  "name": "summary", "description": "One line", "strict": true,
                  "schema": {"type": "object", "properties": {"line": {"type": "string"}}, "required": ["line"]}}}}""");

        assertThat(chat.responseFormat())
                .isEqualTo(new ResponseFormat.JsonSchema(new ResponseFormat.Schema(
                        "summary",
                        "One line",
                        json("{\"type\": \"object\", \"properties\": {\"line\": {\"type\": \"string\"}},"
                                + " \"required\": [\"line\"]}"),
                        true)));
    }

    @Test
    void openAisDefaultsOfWhatIsNotCarriedAreAcceptedAndDropped() {
        assertThat(read("{\"prompt\":\"hi\",\"stream\":false,\"logprobs\":false,\"modalities\":[\"text\"]}"))
                .isEqualTo(ChatRequest.ofPrompt("hi", null));
    }

    @Test
    void eachRefusedFieldSaysWhy() {
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"stream\":true}"), "/stream"))
                .contains("poll GET /v1/ask/{id}")
                .contains("callback_url");
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"n\":3}"), "/n")).startsWith("must be 1");
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"function_call\":\"auto\"}"), "/function_call"))
                .contains("use tool_choice");
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"prediction\":{}}"), "/prediction"))
                .contains("/extra");
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"temprature\":1}"), "/temprature"))
                .contains("not a field");
        for (String field : RequestFields.OPENAI_ONLY) {
            assertThat(read("{\"prompt\":\"hi\",\"extra\":{\"" + field + "\":true}}")
                            .extra()
                            .has(field))
                    .as("%s passes under extra", field)
                    .isTrue();
        }
        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"extra\":{\"metadata\":{}}}"), "/extra/metadata"))
                .contains("top level");
    }

    @Test
    void everyTextOfTheConversationSpendsFromOneBudget() {
        String thirty = "x".repeat(30);
        String body = "{\"messages\":[{\"role\":\"system\",\"content\":\"" + thirty + "\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + thirty + "\"}]}]}";

        assertThat(ChatBodyReader.read(json(body), 60).messages()).hasSize(2);
        assertThat(refused(() -> ChatBodyReader.read(json(body), 59), "/messages/1/content/0/text"))
                .isEqualTo("must be at most 59 characters (the text of all messages together)");
    }

    @Test
    void aToolMessageAnswersACallOfAnEarlierAssistantMessage() {
        String call = "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}";
        String answer = "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"done\"}";
        String ask = "{\"role\":\"user\",\"content\":\"go\"}";

        assertThat(read("{\"messages\":[" + ask + "," + call + "," + answer + "]}")
                        .messages())
                .hasSize(3);
        refused(() -> read("{\"messages\":[" + ask + "," + answer + "," + call + "]}"), "/messages/1/tool_call_id");
    }

    @Test
    void aNumberBeyondADoublesRangeIsRefusedWhereverFreeFormJsonHoldsIt() {
        String tool = "{\"prompt\":\"hi\",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"number\",\"maximum\":%s}}}}}]}";
        String schema = "{\"prompt\":\"hi\",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":"
                + "{\"name\":\"s\",\"schema\":{\"type\":\"object\",\"enum\":[{},{\"n\":%s}]}}}}";

        assertThat(refused(() -> read("{\"prompt\":\"hi\",\"extra\":{\"a\":1e400}}"), "/extra/a"))
                .startsWith("must be a finite number");
        refused(
                () -> read("{\"prompt\":\"hi\",\"extra\":{\"top_k\":40,\"o\":{\"a/b\":[1,-1e400]}}}"),
                "/extra/o/a~1b/1");
        refused(() -> read(tool.formatted("1e400")), "/tools/0/function/parameters/properties/x/maximum");
        refused(() -> read(schema.formatted("-1E+999")), "/response_format/json_schema/schema/enum/1/n");

        assertThat(read(tool.formatted("1.7976931348623157e308")).tools()).hasSize(1);
        assertThat(read(schema.formatted("1e-400")).responseFormat()).isNotNull();
        assertThat(read("{\"prompt\":\"hi\",\"extra\":{\"big\":123456789012345678901234567890}}")
                        .extra()
                        .get("big")
                        .bigIntegerValue())
                .as("a whole number beyond a long is exact, and carried")
                .hasToString("123456789012345678901234567890");
    }

    @Test
    void aNumberBeyondADoublesRangeInATopLevelFieldIsRefusedByItsRange() {
        for (String field : List.of(
                "temperature",
                "top_p",
                "presence_penalty",
                "frequency_penalty",
                "max_tokens",
                "max_completion_tokens",
                "seed",
                "n")) {
            for (String number : List.of("1e400", "-1e400")) {
                refused(() -> read("{\"prompt\":\"hi\",\"" + field + "\":" + number + "}"), "/" + field);
            }
        }
        refused(() -> read("{\"prompt\":\"hi\",\"logit_bias\":{\"11\":1e400}}"), "/logit_bias/11");
    }

    @Test
    void anAssistantMessageCarriesTextToolCallsOrARefusal() {
        String ask = "{\"role\":\"user\",\"content\":\"go\"}";
        String calls = "\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]";

        assertThat(refused(
                        () -> read("{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"tool_calls\":[]}]}"),
                        "/messages/1/tool_calls"))
                .startsWith("must hold at least one tool call");
        refused(
                () -> read(
                        "{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"content\":\"ok\",\"tool_calls\":[]}]}"),
                "/messages/1/tool_calls");
        assertThat(refused(
                        () -> read("{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"content\":\"\"}]}"),
                        "/messages/1/content"))
                .isEqualTo("must not be blank unless the message has tool_calls or a refusal");
        refused(
                () -> read("{\"messages\":[" + ask
                        + ",{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\" \"}]}]}"),
                "/messages/1/content/0/text");
        refused(
                () -> read("{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"refusal\":\"\"}]}"),
                "/messages/1/refusal");

        assertThat(read("{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"content\":\"\"," + calls + "}]}")
                        .messages()
                        .get(1))
                .as("an empty text beside tool calls, as many clients send it")
                .isEqualTo(new ChatMessage(
                        Role.ASSISTANT,
                        MessageContent.of(""),
                        null,
                        List.of(ToolCall.function("c1", "f", "{}")),
                        null,
                        null));
        assertThat(read("{\"messages\":[" + ask + ",{\"role\":\"assistant\",\"content\":\"\",\"refusal\":\"No.\"}]}")
                        .messages())
                .hasSize(2);
        assertThat(read("{\"messages\":[" + ask + ",{\"role\":\"assistant\"," + calls
                                + "},{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"\"}]}")
                        .messages())
                .as("a tool may answer with nothing")
                .hasSize(3);
    }

    @Test
    void aTextPartIsHeldToTheBlankRuleOfItsMessage() {
        for (String role : List.of("system", "developer", "user")) {
            for (String text : List.of("", " \\n\\t")) {
                assertThat(refused(
                                () -> read("{\"messages\":[{\"role\":\"" + role
                                        + "\",\"content\":[{\"type\":\"text\",\"text\":\"ok\"},"
                                        + "{\"type\":\"text\",\"text\":\"" + text + "\"}]}]}"),
                                "/messages/0/content/1/text"))
                        .as("%s %s", role, text)
                        .isEqualTo("must not be blank");
            }
        }
        refused(
                () -> read(
                        "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\\u0000\"}]}]}"),
                "/messages/0/content/0/text");
    }

    @Test
    void imagesAreHttpsOrInlineBase64() {
        String image =
                "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"%s\"}}]}]}";
        for (String url : List.of(
                "https://images.example.com/a.png?size=2",
                "data:image/png;base64,iVBORw0KGgo=",
                "data:image/jpeg;base64,/9j/4AAQ",
                "data:image/gif;base64,R0lGODlh")) {
            assertThat(read(image.formatted(url)).messages()).as(url).hasSize(1);
        }
        for (String url : List.of(
                "http://images.example.com/a.png",
                "https:///no-host.png",
                "file:///etc/passwd",
                "data:image/svg+xml;base64,PHN2Zz4=",
                "data:image/png,raw",
                "data:image/png;base64,",
                "data:image/png;base64,abc",
                "data:image/png;base64,ab$=")) {
            refused(() -> read(image.formatted(url)), "/messages/0/content/0/image_url/url");
        }
    }

    @Test
    void pointersEscapeKeysAsRfc6901Asks() {
        assertThat(Pointer.ROOT.field("metadata").field("a/b~c").path()).isEqualTo("/metadata/a~1b~0c");
        assertThat(Pointer.ROOT.field("messages").index(3).field("content").path())
                .isEqualTo("/messages/3/content");
    }

    @Test
    void metadataIsStringPairsWithinOpenAisLimits() {
        ObjectNode body = (ObjectNode) json("{\"metadata\":{\"team\":\"search\",\"env\":\"prod\"}}");
        assertThat(MetadataReader.read(body)).containsExactly(Map.entry("team", "search"), Map.entry("env", "prod"));
        assertThat(MetadataReader.read(json("{}"))).isEmpty();

        ObjectNode sixteen = Json.mapper().createObjectNode();
        for (int i = 0; i < 16; i++) {
            sixteen.put("k".repeat(64 - 2) + String.format("%02d", i), "v".repeat(512));
        }
        assertThat(MetadataReader.read(Json.mapper().createObjectNode().set("metadata", sixteen)))
                .hasSize(16);
        sixteen.put("one-more", "v");
        refused(() -> MetadataReader.read(Json.mapper().createObjectNode().set("metadata", sixteen)), "/metadata");
        refused(() -> MetadataReader.read(json("{\"metadata\":{\"\":\"v\"}}")), "/metadata/");
        refused(() -> MetadataReader.read(json("{\"metadata\":{\"flag\":true}}")), "/metadata/flag");
        assertThatThrownBy(() -> MetadataReader.read(json("{\"metadata\":[]}"))).isInstanceOf(ProblemException.class);
    }
}
