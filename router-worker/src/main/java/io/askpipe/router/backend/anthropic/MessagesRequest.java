package io.askpipe.router.backend.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.http.Passthrough;
import io.askpipe.router.backend.http.UnsupportedField;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.FunctionDefinition;
import io.askpipe.schemas.chat.ResponseFormat;
import io.askpipe.schemas.chat.Tool;
import io.askpipe.schemas.chat.ToolChoice;
import java.util.Optional;
import java.util.Set;

/**
 * The body of a Messages API call ({@code POST /v1/messages}) that asks what an OpenAI chat request
 * asks, field by field:
 *
 * <ul>
 *   <li>the messages as a {@link Conversation}: {@code system} and the turns;
 *   <li>{@code max_tokens}, which Anthropic requires: {@code max_completion_tokens}, else {@code
 *       max_tokens}, else the backend's default;
 *   <li>{@code temperature} (Anthropic's range is 0 to 1: a higher one is refused, never scaled),
 *       {@code top_p}, {@code stop} as {@code stop_sequences}, {@code user} as {@code
 *       metadata.user_id};
 *   <li>{@code tools} as {@code {name, description, input_schema, strict}}, {@code tool_choice}
 *       {@code auto}, {@code required}, {@code none} or a function as {@code {type: auto | any |
 *       none | tool}}, and {@code parallel_tool_calls: false} as {@code disable_parallel_tool_use};
 *   <li>{@code response_format} {@code json_schema} as structured output, {@code
 *       output_config.format}, whose answer is the JSON text; {@code json_object} is refused, as
 *       Anthropic constrains output only to a schema;
 *   <li>{@code reasoning_effort} {@code low}, {@code medium}, {@code high} or {@code xhigh} as
 *       {@code output_config.effort};
 *   <li>the members of {@code extra} as they are, unless one would replace a field set above.
 * </ul>
 *
 * What Anthropic cannot honour ({@code seed}, {@code logit_bias}, a non-zero {@code
 * presence_penalty} or {@code frequency_penalty}, {@code n} other than 1, and what {@link
 * Conversation} refuses) fails the call as an {@link UnsupportedField}, never dropped.
 */
final class MessagesRequest {
    /** The highest {@code temperature} Anthropic takes. */
    static final double MAX_TEMPERATURE = 1.0;

    /** The {@code reasoning_effort} values Anthropic's {@code output_config.effort} has too. */
    private static final Set<String> EFFORTS = Set.of("low", "medium", "high", "xhigh");

    private MessagesRequest() {}

    /**
     * The body asking {@code model} what {@code call} asks, with {@code defaultMaxTokens} when the
     * ask sets no token limit.
     *
     * @throws UnsupportedField naming the first field of the ask that Anthropic cannot honour
     */
    static ObjectNode body(BackendCall call, String model, int defaultMaxTokens) throws UnsupportedField {
        ChatRequest chat = call.chat();
        refuseWhatAnthropicLacks(chat);
        Conversation conversation = Conversation.of(chat.messages());
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        // the smaller of max_tokens and max_completion_tokens, as every backend takes them
        body.put("max_tokens", call.maxTokens().orElse(defaultMaxTokens));
        conversation.system().ifPresent(system -> body.put("system", system));
        body.set("messages", conversation.messages());
        if (chat.temperature() != null) {
            if (chat.temperature() > MAX_TEMPERATURE) {
                throw new UnsupportedField(
                        "/temperature", "Anthropic's temperature goes from 0 to 1, got " + chat.temperature());
            }
            body.put("temperature", chat.temperature());
        }
        if (chat.topP() != null) {
            body.put("top_p", chat.topP());
        }
        if (chat.stop() != null) {
            ArrayNode stops = body.putArray("stop_sequences");
            chat.stop().forEach(stops::add);
        }
        if (chat.user() != null) {
            body.putObject("metadata").put("user_id", chat.user());
        }
        outputConfig(chat).ifPresent(config -> body.set("output_config", config));
        tools(chat, body);
        Passthrough.merge(body, chat.extra());
        return body;
    }

    private static void refuseWhatAnthropicLacks(ChatRequest chat) throws UnsupportedField {
        if (chat.seed() != null) {
            throw new UnsupportedField("/seed", "Anthropic's Messages API has no seed");
        }
        if (chat.logitBias() != null) {
            throw new UnsupportedField("/logit_bias", "Anthropic's Messages API has no logit bias");
        }
        // 0 is OpenAI's default and changes nothing: clients that always send it keep working
        if (chat.presencePenalty() != null && chat.presencePenalty() != 0) {
            throw new UnsupportedField("/presence_penalty", "Anthropic's Messages API has no presence penalty");
        }
        if (chat.frequencyPenalty() != null && chat.frequencyPenalty() != 0) {
            throw new UnsupportedField("/frequency_penalty", "Anthropic's Messages API has no frequency penalty");
        }
        if (chat.n() != null && chat.n() != 1) {
            throw new UnsupportedField("/n", "Anthropic gives one answer per request");
        }
    }

    private static Optional<ObjectNode> outputConfig(ChatRequest chat) throws UnsupportedField {
        ObjectNode config = Json.mapper().createObjectNode();
        switch (chat.responseFormat()) {
            case null -> {}
            case ResponseFormat.Text text -> {}
            case ResponseFormat.JsonObject json ->
                throw new UnsupportedField(
                        "/response_format",
                        "Anthropic constrains an answer to a JSON Schema, not to any JSON object: ask for"
                                + " json_schema with the object's schema");
            case ResponseFormat.JsonSchema json -> {
                if (json.jsonSchema().description() != null) {
                    throw new UnsupportedField(
                            "/response_format/json_schema/description",
                            "Anthropic's output format is the schema alone: describe the answer in the schema"
                                    + " or the system prompt");
                }
                config.putObject("format")
                        .put("type", "json_schema")
                        .set("schema", json.jsonSchema().schema().deepCopy());
            }
        }
        if (chat.reasoningEffort() != null) {
            if (!EFFORTS.contains(chat.reasoningEffort())) {
                throw new UnsupportedField(
                        "/reasoning_effort",
                        "Anthropic's effort is low, medium, high or xhigh, not " + chat.reasoningEffort());
            }
            config.put("effort", chat.reasoningEffort());
        }
        return config.isEmpty() ? Optional.empty() : Optional.of(config);
    }

    private static void tools(ChatRequest chat, ObjectNode body) throws UnsupportedField {
        if (chat.tools() == null) {
            if (chat.toolChoice() != null) {
                throw new UnsupportedField("/tool_choice", "Anthropic takes a tool choice only with tools");
            }
            // parallel_tool_calls without tools changes nothing
            return;
        }
        ArrayNode tools = body.putArray("tools");
        for (Tool tool : chat.tools()) {
            FunctionDefinition function = tool.function();
            ObjectNode definition = tools.addObject().put("name", function.name());
            if (function.description() != null) {
                definition.put("description", function.description());
            }
            if (function.parameters() != null) {
                definition.set("input_schema", function.parameters().deepCopy());
            } else {
                // a function without parameters: Anthropic requires a schema all the same
                definition.putObject("input_schema").put("type", "object").putObject("properties");
            }
            if (function.strict() != null) {
                definition.put("strict", function.strict());
            }
        }
        toolChoice(chat).ifPresent(choice -> body.set("tool_choice", choice));
    }

    private static Optional<ObjectNode> toolChoice(ChatRequest chat) {
        boolean oneAtATime = Boolean.FALSE.equals(chat.parallelToolCalls());
        ObjectNode choice = Json.mapper().createObjectNode();
        switch (chat.toolChoice()) {
            case null -> {
                if (!oneAtATime) {
                    return Optional.empty();
                }
                choice.put("type", "auto");
            }
            case ToolChoice.Mode mode -> {
                switch (mode) {
                    case NONE -> {
                        // no tool is called, so there is nothing to call one at a time
                        return Optional.of(choice.put("type", "none"));
                    }
                    case AUTO -> choice.put("type", "auto");
                    case REQUIRED -> choice.put("type", "any");
                }
            }
            case ToolChoice.Function function -> choice.put("type", "tool").put("name", function.name());
        }
        if (oneAtATime) {
            choice.put("disable_parallel_tool_use", true);
        }
        return Optional.of(choice);
    }
}
