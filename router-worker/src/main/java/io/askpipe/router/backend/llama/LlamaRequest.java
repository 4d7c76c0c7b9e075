package io.askpipe.router.backend.llama;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Optional;

/**
 * The body of an Ollama {@code POST /api/chat} request for an ask, without streaming: the messages
 * ({@link LlamaMessages}); the generation parameters as {@code options} ({@code temperature},
 * {@code top_p}, {@code seed}, {@code num_predict} from the smaller of {@code max_tokens} and {@code
 * max_completion_tokens}, {@code stop}, the penalties); {@code format} ({@code "json"} for {@code
 * json_object}, the schema for {@code json_schema}); {@code tools}; {@code think} from {@code
 * reasoning_effort}; the members of {@code extra} merged in at the top level (and into {@code
 * options}); and the operator's defaults ({@code LLAMA_MAX_TOKENS}, {@code LLAMA_TEMPERATURE}) for
 * what the ask leaves unset. A field Ollama cannot honour is refused, naming it, never dropped.
 */
final class LlamaRequest {
    private LlamaRequest() {}

    /**
     * The body for {@code call}'s ask to {@code model}, with the defaults of {@code settings}.
     *
     * @throws UnsupportedField naming the first field of the ask that Ollama cannot honour, or a
     *     member of {@code extra} that conflicts with the body
     */
    static ObjectNode body(BackendCall call, String model, LlamaSettings settings) throws UnsupportedField {
        ChatRequest chat = call.chat();
        refuseWhatOllamaLacks(chat);
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        body.set("messages", LlamaMessages.of(chat.messages()));
        body.put("stream", false);
        Optional<JsonNode> format = format(chat.responseFormat());
        if (format.isPresent()) {
            body.set("format", format.get());
        }
        if (chat.tools() != null && chat.toolChoice() != ToolChoice.Mode.NONE) {
            body.set("tools", tools(chat.tools()));
        }
        if (chat.reasoningEffort() != null) {
            body.set("think", think(chat.reasoningEffort()));
        }
        ObjectNode options = options(call);
        if (!options.isEmpty()) {
            body.set("options", options);
        }
        Passthrough.merge(body, chat.extra());
        defaults(body, settings);
        return body;
    }

    /** Refuses the parameters Ollama has no equivalent of, when set to anything but OpenAI's default. */
    private static void refuseWhatOllamaLacks(ChatRequest chat) throws UnsupportedField {
        if (chat.logitBias() != null) {
            throw new UnsupportedField("/logit_bias", "Ollama has no logit bias; leave it out");
        }
        if (chat.toolChoice() == ToolChoice.Mode.REQUIRED || chat.toolChoice() instanceof ToolChoice.Function) {
            throw new UnsupportedField(
                    "/tool_choice",
                    "Ollama cannot make a model call a tool: its models call tools as they see fit (send auto or"
                            + " none)");
        }
        if (Boolean.FALSE.equals(chat.parallelToolCalls())) {
            throw new UnsupportedField(
                    "/parallel_tool_calls", "Ollama cannot hold a model to one tool call per answer; leave it out");
        }
        if (chat.user() != null) {
            throw new UnsupportedField(
                    "/user", "Ollama has no end-user identifier; leave it out, or put it in the ask's metadata");
        }
    }

    private static Optional<JsonNode> format(ResponseFormat responseFormat) throws UnsupportedField {
        return switch (responseFormat) {
            case null -> Optional.empty();
            case ResponseFormat.Text text -> Optional.empty();
            case ResponseFormat.JsonObject json ->
                Optional.of(Json.mapper().getNodeFactory().textNode("json"));
            case ResponseFormat.JsonSchema json -> {
                if (json.jsonSchema().description() != null) {
                    throw new UnsupportedField(
                            "/response_format/json_schema/description",
                            "Ollama's format takes the schema alone; say what the answer is for in a message");
                }
                // Ollama constrains its output to the schema whether strict or not: strict is honoured
                yield Optional.of(json.jsonSchema().schema());
            }
        };
    }

    private static ArrayNode tools(List<Tool> tools) throws UnsupportedField {
        ArrayNode array = Json.mapper().createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            FunctionDefinition function = tools.get(i).function();
            if (Boolean.TRUE.equals(function.strict())) {
                throw new UnsupportedField(
                        "/tools/" + i + "/function/strict",
                        "Ollama does not hold a tool call's arguments to the function's schema; leave strict out");
            }
            ObjectNode tool = array.addObject().put("type", "function");
            ObjectNode definition = tool.putObject("function").put("name", function.name());
            if (function.description() != null) {
                definition.put("description", function.description());
            }
            if (function.parameters() != null) {
                definition.set("parameters", function.parameters());
            }
        }
        return array;
    }

    /**
     * Ollama's {@code think} for OpenAI's {@code reasoning_effort}: {@code none} is no thinking, and
     * {@code low}, {@code medium} and {@code high} the levels of the same names, the only ones
     * Ollama documents. OpenAI's {@code minimal} and {@code xhigh} reach past them and are refused
     * rather than rounded to a level the ask did not ask for.
     */
    private static JsonNode think(String reasoningEffort) throws UnsupportedField {
        var nodes = Json.mapper().getNodeFactory();
        return switch (reasoningEffort) {
            case "none" -> nodes.booleanNode(false);
            case "low", "medium", "high" -> nodes.textNode(reasoningEffort);
            default ->
                throw new UnsupportedField(
                        "/reasoning_effort",
                        "Ollama has no thinking level " + reasoningEffort + "; send none, low, medium or high");
        };
    }

    private static ObjectNode options(BackendCall call) {
        ChatRequest chat = call.chat();
        ObjectNode options = Json.mapper().createObjectNode();
        if (chat.temperature() != null) {
            options.put("temperature", chat.temperature());
        }
        if (chat.topP() != null) {
            options.put("top_p", chat.topP());
        }
        if (chat.seed() != null) {
            options.put("seed", chat.seed());
        }
        call.maxTokens().ifPresent(limit -> options.put("num_predict", limit));
        if (chat.stop() != null) {
            ArrayNode stop = options.putArray("stop");
            chat.stop().forEach(stop::add);
        }
        if (chat.presencePenalty() != null) {
            options.put("presence_penalty", chat.presencePenalty());
        }
        if (chat.frequencyPenalty() != null) {
            options.put("frequency_penalty", chat.frequencyPenalty());
        }
        return options;
    }

    /** The operator's defaults, for what neither the ask nor its {@code extra} set. */
    private static void defaults(ObjectNode body, LlamaSettings settings) {
        if (settings.maxTokens() == null && settings.temperature() == null) {
            return;
        }
        JsonNode existing = body.get("options");
        if (existing != null && !existing.isObject()) {
            return; // extra set options to something else, which Ollama will refuse
        }
        ObjectNode options = existing == null ? Json.mapper().createObjectNode() : (ObjectNode) existing;
        if (settings.maxTokens() != null && !options.has("num_predict")) {
            options.put("num_predict", settings.maxTokens());
        }
        if (settings.temperature() != null && !options.has("temperature")) {
            options.put("temperature", settings.temperature());
        }
        body.set("options", options);
    }
}
