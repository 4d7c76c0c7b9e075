package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.models.ErrorObject;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.MessageParam;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlockParam;
import io.askpipe.common.config.Env;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.router.backend.anthropic.AnthropicWire;
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.resilience.ResilienceSettings;
import io.askpipe.router.resilience.ResilientCaller;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.Role;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolCall;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A conversation with a tool call, through the router as a deployment wires it (the backend
 * catalog's routes, the registry {@link Backends} builds from the environment, retries) to a fake
 * Anthropic server that reads every request with the official SDK and answers with its model
 * classes.
 */
class AnthropicConversationIT {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final String KEY = "sk-ant-api03-it-0123456789abcdef";
    private static final String MODEL = "claude-sonnet-5-5";
    private static final String SYSTEM = "You are a travel assistant. Use the weather tool for any city.";
    private static final String WEATHER_SCHEMA = """
            {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""";

    private final List<Duration> waits = new ArrayList<>();
    private final ResilientCaller caller = new ResilientCaller(
            new ResilienceSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(1), 50, 20, Duration.ofMinutes(1)),
            waits::add);
    private StubLlmServer server;
    private BackendRegistry registry;
    private AskHandler handler;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        Env env = Env.of(Map.of(
                "ASKPIPE_BACKENDS",
                "dryrun,anthropic",
                "ASKPIPE_MODELS",
                "*",
                "ANTHROPIC_BASE_URL",
                server.baseUrl(),
                "ANTHROPIC_API_KEY",
                KEY));
        List<String> names = List.of("dryrun", "anthropic");
        registry = Backends.registry(names, BackendSettings.fromEnv(env, names));
        handler = new AskHandler(
                Routing.fromEnv(env),
                registry,
                caller,
                Duration.ofSeconds(30),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new RouterMetrics(new SimpleMeterRegistry()),
                FaultInjector.NONE);
    }

    @AfterEach
    void stop() {
        registry.close();
        caller.close();
        server.close();
    }

    private static Tool weatherTool() throws Exception {
        return Tool.function(new FunctionDefinition(
                "get_weather", "The weather in a city now", Json.mapper().readTree(WEATHER_SCHEMA), null));
    }

    private static AskRequest ask(String id, ChatRequest chat) {
        return new AskRequest(id, "alice", "key-" + id, chat, null, NOW);
    }

    @Test
    void aSystemPromptAToolCallAndItsResultMakeOneConversation() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        server.answer(request -> switch (requests.incrementAndGet()) {
            case 1 ->
                AnthropicWire.error(529, ErrorObject.ofOverloadedError("Overloaded"))
                        .withHeader("retry-after", "2");
            case 2 ->
                AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.TOOL_USE, AnthropicWire.usage(120, 0, 18))
                        .addContent(AnthropicWire.text("Let me look that up."))
                        .addContent(AnthropicWire.toolUse("toolu_01A", "get_weather", Map.of("city", "Lisbon")))
                        .build());
            default ->
                AnthropicWire.answer(AnthropicWire.message(MODEL, StopReason.END_TURN, AnthropicWire.usage(40, 120, 9))
                        .addContent(AnthropicWire.text("Pack light: 24 C and sunny."))
                        .build());
        });
        List<ChatMessage> conversation = new ArrayList<>(List.of(
                ChatMessage.system(SYSTEM),
                ChatMessage.user("I fly to Lisbon tomorrow."),
                ChatMessage.assistant("Have a good trip! Anything I can help with?"),
                ChatMessage.user("What should I pack?")));

        AskResult first = handler.handle(ask(
                "id-1",
                ChatRequest.builder(conversation)
                        .model(MODEL)
                        .tools(List.of(weatherTool()))
                        .build()));

        assertThat(first.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(first.backend()).as("claude-* routes to anthropic").isEqualTo("anthropic");
        assertThat(first.model()).isEqualTo(MODEL);
        assertThat(first.attempts()).as("the 529 retried").isEqualTo(2);
        assertThat(waits).as("after Anthropic's retry-after").containsExactly(Duration.ofSeconds(2));
        assertThat(first.finishReason()).isEqualTo(FinishReason.TOOL_CALLS);
        assertThat(first.answer()).isEqualTo("Let me look that up.");
        assertThat(first.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("toolu_01A");
            assertThat(call.function().name()).isEqualTo("get_weather");
            assertThat(Json.mapper().readTree(call.function().arguments()))
                    .isEqualTo(Json.mapper().readTree("{\"city\": \"Lisbon\"}"));
        });
        MessageCreateParams asked = AnthropicWire.request(server.received().get(1));
        assertThat(asked.system().orElseThrow().asString()).isEqualTo(SYSTEM);
        assertThat(asked.messages())
                .extracting(MessageParam::role)
                .extracting(Object::toString)
                .containsExactly("user", "assistant", "user");
        assertThat(asked.tools().orElseThrow().getFirst().asTool().name()).isEqualTo("get_weather");

        // the client runs the tool and continues the conversation with the result's message
        conversation.add(first.message());
        ToolCall call = first.message().toolCalls().getFirst();
        conversation.add(ChatMessage.tool(call.id(), "24 C, sunny"));
        AskResult second = handler.handle(ask(
                "id-2",
                ChatRequest.builder(conversation)
                        .model(MODEL)
                        .tools(List.of(weatherTool()))
                        .build()));

        assertThat(second.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(second.attempts()).isEqualTo(1);
        assertThat(second.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(second.answer()).isEqualTo("Pack light: 24 C and sunny.");
        assertThat(second.message().role()).isEqualTo(Role.ASSISTANT);
        assertThat(second.usage().promptTokens())
                .as("Anthropic's cache reads counted into the prompt")
                .isEqualTo(160);
        assertThat(second.usage().completionTokens()).isEqualTo(9);
        assertThat(second.usage().promptTokensDetails().cachedTokens()).isEqualTo(120);

        assertThat(server.received()).hasSize(3);
        MessageCreateParams continued = AnthropicWire.request(server.received().get(2));
        assertThat(continued.system().orElseThrow().asString()).isEqualTo(SYSTEM);
        List<MessageParam> turns = continued.messages();
        assertThat(turns)
                .extracting(MessageParam::role)
                .extracting(Object::toString)
                .containsExactly("user", "assistant", "user", "assistant", "user");
        assertThat(turns.get(2).asUser().content().asString()).isEqualTo("What should I pack?");
        List<ContentBlockParam> toolTurn = turns.get(3).asAssistant().content().asContentBlockParams();
        assertThat(toolTurn.get(0).asText().text()).isEqualTo("Let me look that up.");
        ToolUseBlockParam use = toolTurn.get(1).asToolUse();
        assertThat(use.id()).isEqualTo("toolu_01A");
        assertThat(use.name()).isEqualTo("get_weather");
        assertThat(AnthropicWire.tree(use.input())).isEqualTo(Json.mapper().readTree("{\"city\": \"Lisbon\"}"));
        ToolResultBlockParam result = turns.get(4)
                .asUser()
                .content()
                .asContentBlockParams()
                .getFirst()
                .asToolResult();
        assertThat(result.toolUseId()).isEqualTo("toolu_01A");
        assertThat(result.content().orElseThrow().asString()).isEqualTo("24 C, sunny");
    }

    @Test
    void aFieldAnthropicCannotHonourFailsTheAskByNameWithoutACall() throws Exception {
        AskResult result = handler.handle(ask(
                "id-3",
                ChatRequest.builder(List.of(ChatMessage.user("Pick a number.")))
                        .model(MODEL)
                        .seed(7L)
                        .build()));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.backend()).isEqualTo("anthropic");
        assertThat(result.error().type()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(result.error().message()).contains("/seed");
        assertThat(result.attempts()).as("not retried").isEqualTo(1);
        assertThat(server.received()).isEmpty();
    }
}
