package io.askpipe.router.backend.dryrun;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolCall;
import io.askpipe.schemas.chat.ToolChoice;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DryrunBackendTest {
    private static final String WEATHER = """
            {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["celsius", "fahrenheit"]}},
             "required": ["city", "unit"], "additionalProperties": false}""";
    private static final String SUMMARY = """
            {"type": "object",
             "properties": {"summary": {"type": "string"}, "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                            "topics": {"type": "array", "items": {"type": "string"}}},
             "required": ["summary", "confidence", "topics"], "additionalProperties": false}""";

    private final DryrunBackend backend = new DryrunBackend(Duration.ZERO);

    private static JsonNode tree(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    private BackendOutcome.Completed ask(ChatRequest chat, String model) throws InterruptedException {
        return (BackendOutcome.Completed) backend.call(new BackendCall("ask-1", chat, model));
    }

    private static ChatRequest.Builder conversation() {
        return ChatRequest.builder(List.of(
                ChatMessage.system("You are terse."),
                ChatMessage.user("what is the weather in Oslo"),
                ChatMessage.assistant("Let me check."),
                ChatMessage.user("and in Bergen")));
    }

    private static List<Tool> tools() throws Exception {
        return List.of(
                Tool.function(new FunctionDefinition("get_time", null, null, null)),
                Tool.function(new FunctionDefinition("get_weather", "the weather", tree(WEATHER), true)));
    }

    @Test
    void echoesAPromptExactlyAsBefore() throws Exception {
        BackendOutcome outcome = backend.call(BackendCall.ofPrompt("id-1", "why is the sky blue", null));

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed(
                        "dryrun-echo", "[dryrun] why is the sky blue", new Usage(5, 6, 11)));
        assertThat(backend.call(BackendCall.ofPrompt("id-2", "hi", "gpt-4o")))
                .isEqualTo(new BackendOutcome.Completed("gpt-4o", "[dryrun] hi", new Usage(1, 2, 3)));
    }

    @Test
    void echoesTheLastUserMessageOfAConversationCountingEveryMessage() throws Exception {
        BackendOutcome.Completed completed = ask(conversation().build(), null);

        assertThat(completed)
                .isEqualTo(new BackendOutcome.Completed("dryrun-echo", "[dryrun] and in Bergen", new Usage(15, 4, 19)));
    }

    @Test
    void answersAJsonObjectWhenAskedForOne() throws Exception {
        BackendOutcome.Completed completed =
                ask(conversation().responseFormat(ResponseFormat.JSON_OBJECT).build(), null);

        assertThat(tree(completed.answer())).isEqualTo(tree("{\"answer\": \"[dryrun] and in Bergen\"}"));
        assertThat(completed.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void answersJsonThatMatchesTheSchemaAskedFor() throws Exception {
        ResponseFormat format =
                new ResponseFormat.JsonSchema(new ResponseFormat.Schema("summary", null, tree(SUMMARY), true));

        BackendOutcome.Completed completed =
                ask(conversation().responseFormat(format).build(), null);

        SchemaExampleTest.assertMatches(tree(completed.answer()), tree(SUMMARY));
        assertThat(tree(completed.answer())).isEqualTo(tree("""
                        {"summary": "[dryrun] and in Bergen", "confidence": 0.0, "topics": ["[dryrun] and in Bergen"]}"""));
        assertThat(completed.usage().completionTokens()).isEqualTo(words(completed.answer()));
    }

    @Test
    void callsTheFirstToolWhenACallIsRequired() throws Exception {
        BackendOutcome.Completed completed = ask(
                conversation()
                        .tools(tools())
                        .toolChoice(ToolChoice.Mode.REQUIRED)
                        .build(),
                null);

        assertThat(completed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(completed.message())
                .isEqualTo(ChatMessage.assistant(List.of(ToolCall.function("call_dryrun_4", "get_time", "{}"))));
        assertThat(completed.answer()).isEmpty();
    }

    @Test
    void callsTheNamedFunctionWithArgumentsThatMatchItsParameters() throws Exception {
        BackendOutcome.Completed completed = ask(
                conversation()
                        .tools(tools())
                        .toolChoice(new ToolChoice.Function("get_weather"))
                        .build(),
                null);

        assertThat(completed.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        ToolCall call = completed.message().toolCalls().getFirst();
        assertThat(call.id()).isEqualTo("call_dryrun_4");
        assertThat(call.function().name()).isEqualTo("get_weather");
        SchemaExampleTest.assertMatches(tree(call.function().arguments()), tree(WEATHER));
        assertThat(completed.usage())
                .isEqualTo(new Usage(
                        15,
                        words(call.function().arguments()),
                        15 + words(call.function().arguments())));
    }

    @Test
    void offeredToolsAreNotCalledUnlessTheAskRequiresIt() throws Exception {
        for (ToolChoice choice : new ToolChoice[] {null, ToolChoice.Mode.AUTO, ToolChoice.Mode.NONE}) {
            BackendOutcome.Completed completed =
                    ask(conversation().tools(tools()).toolChoice(choice).build(), null);

            assertThat(completed.answer()).isEqualTo("[dryrun] and in Bergen");
            assertThat(completed.finishReason()).isEqualTo(FinishReason.STOP);
        }
    }

    @Test
    void stopsAtTheTokenLimitWithATruncatedAnswer() throws Exception {
        BackendOutcome.Completed byMaxTokens = ask(conversation().maxTokens(3).build(), null);

        assertThat(byMaxTokens)
                .isEqualTo(new BackendOutcome.Completed(
                        "dryrun-echo",
                        ChatMessage.assistant("[dryrun] and in"),
                        FinishReason.LENGTH,
                        new Usage(15, 3, 18),
                        null));

        BackendOutcome.Completed byCompletionTokens =
                ask(conversation().maxTokens(100).maxCompletionTokens(1).build(), null);

        assertThat(byCompletionTokens.answer()).isEqualTo("[dryrun]");
        assertThat(byCompletionTokens.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(byCompletionTokens.usage().completionTokens()).isEqualTo(1);
    }

    @Test
    void anAnswerWithinTheLimitStopsByItself() throws Exception {
        BackendOutcome.Completed completed = ask(conversation().maxTokens(4).build(), null);

        assertThat(completed)
                .isEqualTo(new BackendOutcome.Completed("dryrun-echo", "[dryrun] and in Bergen", new Usage(15, 4, 19)));
    }

    private static int words(String text) {
        return text.strip().split("\\s+").length;
    }
}
