package io.askpipe.ingest.validate;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each top-level field of {@code POST /v1/ask} is: one of the chat body askpipe carries, one of
 * askpipe's own, or one OpenAI defines that askpipe refuses by name, saying why. Nothing is dropped
 * silently: a field that is none of these is refused as unknown. The same vocabulary decides what
 * the {@code extra} passthrough may hold.
 */
final class RequestFields {
    /** The fields of OpenAI's body that askpipe carries to the backend. */
    static final Set<String> CARRIED = Set.of(
            "model",
            "messages",
            "temperature",
            "top_p",
            "max_tokens",
            "max_completion_tokens",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "n",
            "response_format",
            "tools",
            "tool_choice",
            "parallel_tool_calls",
            "user",
            "reasoning_effort",
            "extra");

    /** askpipe's own fields. */
    static final Set<String> OWN =
            Set.of("prompt", "backend", "callback_url", "metadata", "expires_after", "deadline", "priority");

    private static final String POLL =
            "askpipe answers asynchronously: poll GET /v1/ask/{id} (with ?wait= to long-poll) or set callback_url";

    /**
     * Fields whose effect askpipe cannot deliver, with why: refused at the top and under {@code
     * extra} alike. Only the value that is OpenAI's default, and so has no effect, is accepted.
     */
    private static final Map<String, Refused> UNDELIVERABLE = Map.of(
            "stream", new Refused("streaming is not offered; " + POLL, Optional.of("false")),
            "stream_options", new Refused("needs streaming, which is not offered; " + POLL, Optional.empty()),
            "logprobs",
                    new Refused(
                            "log probabilities are not offered: a result carries the answer, not its tokens",
                            Optional.of("false")),
            "top_logprobs",
                    new Refused(
                            "log probabilities are not offered: a result carries the answer, not its tokens",
                            Optional.empty()),
            "audio", new Refused("audio answers are not offered: an answer is text", Optional.empty()),
            "modalities", new Refused("an answer is text; only [\"text\"] is accepted", Optional.of("[\"text\"]")),
            "functions", new Refused("is deprecated by OpenAI and not carried: use tools", Optional.empty()),
            "function_call", new Refused("is deprecated by OpenAI and not carried: use tool_choice", Optional.empty()));

    /**
     * Fields only OpenAI understands, which change nothing of the answer's shape: not carried at
     * the top (no other backend could honour them), but a client may pass them under {@code
     * extra}.
     */
    static final List<String> OPENAI_ONLY = List.of(
            "store",
            "service_tier",
            "prediction",
            "web_search_options",
            "prompt_cache_key",
            "prompt_cache_retention",
            "safety_identifier",
            "verbosity");

    private RequestFields() {}

    /** A field refused with {@code reason}, unless its value is {@code harmless} (its default). */
    private record Refused(String reason, Optional<String> harmless) {}

    /** Refuses the first top-level field of {@code body} that askpipe does not carry. */
    static void check(JsonNode body) {
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            if (CARRIED.contains(name) || OWN.contains(name)) {
                continue;
            }
            Pointer at = Pointer.ROOT.field(name);
            if (UNDELIVERABLE.containsKey(name)) {
                undeliverable(name, field.getValue(), at); // its default has no effect: accepted, not carried
                continue;
            }
            if (OPENAI_ONLY.contains(name)) {
                throw at.invalid("is specific to OpenAI and not carried; send it under /extra, which the backend's"
                        + " request gets as it is");
            }
            throw at.invalid("is not a field of an ask (see docs/openapi.yaml, AskSubmission)");
        }
    }

    /** Refuses a member of {@code extra} that names a field the request carries or refuses. */
    static void checkExtra(String name, JsonNode value, Pointer at) {
        if (CARRIED.contains(name) || OWN.contains(name)) {
            throw at.invalid("is a field of the ask; set it at the top level, where it is checked");
        }
        undeliverable(name, value, at);
    }

    /** Refuses {@code name} if it is a field whose effect askpipe cannot deliver (and not its default). */
    private static void undeliverable(String name, JsonNode value, Pointer at) {
        Refused refused = UNDELIVERABLE.get(name);
        if (refused == null) {
            return;
        }
        if (refused.harmless()
                .filter(harmless -> harmless.equals(value.toString()))
                .isPresent()) {
            return;
        }
        throw at.invalid("is not supported: " + refused.reason());
    }
}
