package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.ChatRequest;
import io.askpipe.schemas.chat.Tool;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the chat body of a submitted ask into its canonical {@link ChatRequest}: the conversation
 * (as {@code messages}, or as the {@code prompt} shorthand for one user message), the model and
 * every generation parameter in OpenAI's ranges, and the {@code extra} passthrough. The first field
 * that is wrong is refused as a 422 problem naming its JSON pointer; a field askpipe does not carry
 * is refused by name ({@link RequestFields}).
 */
public final class ChatBodyReader {
    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}");
    private static final Pattern TOKEN_ID = Pattern.compile("[0-9]{1,10}");
    private static final Set<String> REASONING_EFFORTS = Set.of("none", "minimal", "low", "medium", "high", "xhigh");
    /** OpenAI's most stop sequences. */
    private static final int MAX_STOPS = 4;

    private ChatBodyReader() {}

    /**
     * The chat body of {@code body}, a JSON object, whose messages may hold {@code maxTextChars}
     * characters of text together.
     */
    public static ChatRequest read(JsonNode body, int maxTextChars) {
        RequestFields.check(body);
        TextBudget budget = new TextBudget(maxTextChars);
        ChatRequest.Builder chat = ChatRequest.builder(messages(body, budget));
        field(body, "model").ifPresent(at -> chat.model(model(body.get("model"), at)));
        field(body, "temperature").ifPresent(at -> chat.temperature(Values.number(body.get("temperature"), at, 0, 2)));
        field(body, "top_p").ifPresent(at -> chat.topP(Values.number(body.get("top_p"), at, 0, 1)));
        field(body, "max_tokens").ifPresent(at -> chat.maxTokens(tokens(body.get("max_tokens"), at)));
        field(body, "max_completion_tokens")
                .ifPresent(at -> chat.maxCompletionTokens(tokens(body.get("max_completion_tokens"), at)));
        field(body, "stop").ifPresent(at -> chat.stop(stop(body.get("stop"), at)));
        field(body, "seed")
                .ifPresent(at -> chat.seed(Values.integer(body.get("seed"), at, Long.MIN_VALUE, Long.MAX_VALUE)));
        field(body, "presence_penalty")
                .ifPresent(at -> chat.presencePenalty(Values.number(body.get("presence_penalty"), at, -2, 2)));
        field(body, "frequency_penalty")
                .ifPresent(at -> chat.frequencyPenalty(Values.number(body.get("frequency_penalty"), at, -2, 2)));
        field(body, "logit_bias").ifPresent(at -> chat.logitBias(logitBias(body.get("logit_bias"), at)));
        field(body, "n").ifPresent(at -> {
            if (Values.integer(body.get("n"), at, Long.MIN_VALUE, Long.MAX_VALUE) != 1) {
                throw at.invalid("must be 1: an ask has one answer (send several asks for several)");
            }
            chat.n(1);
        });
        field(body, "response_format")
                .ifPresent(at -> chat.responseFormat(ToolsReader.responseFormat(body.get("response_format"), at)));
        List<Tool> tools = field(body, "tools")
                .map(at -> ToolsReader.tools(body.get("tools"), at))
                .orElse(List.of());
        chat.tools(tools);
        field(body, "tool_choice")
                .ifPresent(at -> chat.toolChoice(ToolsReader.toolChoice(body.get("tool_choice"), at, tools)));
        field(body, "parallel_tool_calls").ifPresent(at -> {
            if (tools.isEmpty()) {
                throw at.invalid("is only allowed when the ask offers tools");
            }
            chat.parallelToolCalls(Values.bool(body.get("parallel_tool_calls"), at));
        });
        field(body, "user").ifPresent(at -> chat.user(Values.string(body.get("user"), at)));
        field(body, "reasoning_effort").ifPresent(at -> {
            String effort = Values.string(body.get("reasoning_effort"), at);
            if (!REASONING_EFFORTS.contains(effort)) {
                throw at.invalid("must be none, minimal, low, medium, high or xhigh");
            }
            chat.reasoningEffort(effort);
        });
        field(body, "extra").ifPresent(at -> chat.extra(extra(body.get("extra"), at)));
        return chat.build();
    }

    /** The pointer of the member {@code name} of {@code body}, unless it is absent or {@code null}. */
    private static Optional<Pointer> field(JsonNode body, String name) {
        return Values.member(body, name).map(value -> Pointer.ROOT.field(name));
    }

    private static List<ChatMessage> messages(JsonNode body, TextBudget budget) {
        Pointer promptAt = Pointer.ROOT.field("prompt");
        var prompt = Values.member(body, "prompt");
        var messages = Values.member(body, "messages");
        if (prompt.isPresent() && messages.isPresent()) {
            throw promptAt.invalid("and /messages both give the conversation: send one of them");
        }
        if (messages.isPresent()) {
            return new MessagesReader(budget).read(messages.get(), Pointer.ROOT.field("messages"));
        }
        String text = Values.withoutControlCharacters(
                Values.nonBlank(prompt.orElseThrow(() -> promptAt.invalid("is required")), promptAt), promptAt);
        budget.spend(text, promptAt);
        return List.of(ChatMessage.user(text));
    }

    private static String model(JsonNode node, Pointer at) {
        String model = Values.string(node, at);
        if (!MODEL.matcher(model).matches()) {
            throw at.invalid("must be 1-128 characters of letters, digits and . _ : / -");
        }
        return model;
    }

    private static int tokens(JsonNode node, Pointer at) {
        return (int) Values.integer(node, at, 1, Integer.MAX_VALUE);
    }

    private static List<String> stop(JsonNode node, Pointer at) {
        if (node.isTextual()) {
            return List.of(Values.nonEmpty(node, at));
        }
        ArrayNode array = Values.array(node, at);
        if (array.size() > MAX_STOPS) {
            throw at.invalid("must hold at most " + MAX_STOPS + " sequences");
        }
        List<String> stops = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            stops.add(Values.nonEmpty(array.get(i), at.index(i)));
        }
        return stops;
    }

    private static Map<String, Integer> logitBias(JsonNode node, Pointer at) {
        Values.object(node, at);
        Map<String, Integer> biases = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            Pointer entryAt = at.field(entry.getKey());
            if (!TOKEN_ID.matcher(entry.getKey()).matches()) {
                throw entryAt.invalid("must be keyed by a token id (digits)");
            }
            biases.put(entry.getKey(), (int) Values.integer(entry.getValue(), entryAt, -100, 100));
        }
        return biases;
    }

    private static ObjectNode extra(JsonNode node, Pointer at) {
        ObjectNode extra = Values.object(node, at);
        for (Map.Entry<String, JsonNode> entry : extra.properties()) {
            Pointer entryAt = at.field(entry.getKey());
            RequestFields.checkExtra(entry.getKey(), entry.getValue(), entryAt);
            FiniteNumbers.check(entry.getValue(), entryAt);
        }
        return extra;
    }
}
