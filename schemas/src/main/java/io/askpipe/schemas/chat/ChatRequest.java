package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OpenAI chat-completions body in canonical form: the fields askpipe carries to a backend, each
 * absent ({@code null}) unless the client set it, no default invented. Canonical means {@code stop}
 * is always a list, and an empty list or object is absent; everything else is kept as sent. The
 * names on the wire are OpenAI's.
 *
 * @param model the model asked for, or {@code null} for the backend's default
 * @param messages the conversation, at least one message
 * @param temperature 0 to 2
 * @param topP 0 to 1
 * @param maxTokens the most tokens to generate (OpenAI's older name)
 * @param maxCompletionTokens the most tokens to generate, reasoning included
 * @param stop up to four sequences that end the answer
 * @param seed for a best-effort deterministic answer
 * @param presencePenalty -2 to 2
 * @param frequencyPenalty -2 to 2
 * @param logitBias token id to a bias from -100 to 100, in key order
 * @param n how many answers; askpipe gives one, so only 1
 * @param responseFormat the form of the answer
 * @param tools the functions the model may call
 * @param toolChoice whether and which tool it must call
 * @param parallelToolCalls whether it may call several tools at once
 * @param user the client's end user, for the vendor's abuse monitoring
 * @param reasoningEffort for reasoning models: {@code none}, {@code minimal}, {@code low}, {@code
 *     medium}, {@code high} or {@code xhigh}
 * @param extra the vendor-specific passthrough: fields the backend's request gets as they are, for
 *     what only one vendor understands (never a field this record carries)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatRequest(
        String model,
        List<ChatMessage> messages,
        Double temperature,
        Double topP,
        Integer maxTokens,
        Integer maxCompletionTokens,

        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        List<String> stop,

        Long seed,
        Double presencePenalty,
        Double frequencyPenalty,
        Map<String, Integer> logitBias,
        Integer n,
        ResponseFormat responseFormat,
        List<Tool> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        String user,
        String reasoningEffort,
        ObjectNode extra) {

    public ChatRequest {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a chat request has at least one message");
        }
        stop = stop == null || stop.isEmpty() ? null : List.copyOf(stop);
        tools = tools == null || tools.isEmpty() ? null : List.copyOf(tools);
        logitBias =
                logitBias == null || logitBias.isEmpty() ? null : Collections.unmodifiableMap(new TreeMap<>(logitBias));
        extra = extra == null || extra.isEmpty() ? null : extra;
    }

    /** The shorthand of every older ask: one user message with {@code prompt}, for {@code model}. */
    public static ChatRequest ofPrompt(String prompt, String model) {
        return builder(List.of(ChatMessage.user(Objects.requireNonNull(prompt, "prompt"))))
                .model(model)
                .build();
    }

    /** A builder of a request with {@code messages} and nothing else set. */
    public static Builder builder(List<ChatMessage> messages) {
        return new Builder(messages);
    }

    /** The text of the last user message, if there is one. */
    public Optional<String> lastUserText() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return Optional.of(messages.get(i).text());
            }
        }
        return Optional.empty();
    }

    /** Sets a request's fields one by one; every field not set stays absent. Not thread-safe. */
    public static final class Builder {
        private final List<ChatMessage> messages;
        private String model;
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private Integer maxCompletionTokens;
        private List<String> stop;
        private Long seed;
        private Double presencePenalty;
        private Double frequencyPenalty;
        private Map<String, Integer> logitBias;
        private Integer n;
        private ResponseFormat responseFormat;
        private List<Tool> tools;
        private ToolChoice toolChoice;
        private Boolean parallelToolCalls;
        private String user;
        private String reasoningEffort;
        private ObjectNode extra;

        private Builder(List<ChatMessage> messages) {
            this.messages = messages;
        }

        public Builder model(String model) {
            this.model = model;
            return this;
        }

        public Builder temperature(Double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topP(Double topP) {
            this.topP = topP;
            return this;
        }

        public Builder maxTokens(Integer maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder maxCompletionTokens(Integer maxCompletionTokens) {
            this.maxCompletionTokens = maxCompletionTokens;
            return this;
        }

        public Builder stop(List<String> stop) {
            this.stop = stop;
            return this;
        }

        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder presencePenalty(Double presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder frequencyPenalty(Double frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder logitBias(Map<String, Integer> logitBias) {
            this.logitBias = logitBias;
            return this;
        }

        public Builder n(Integer n) {
            this.n = n;
            return this;
        }

        public Builder responseFormat(ResponseFormat responseFormat) {
            this.responseFormat = responseFormat;
            return this;
        }

        public Builder tools(List<Tool> tools) {
            this.tools = tools;
            return this;
        }

        public Builder toolChoice(ToolChoice toolChoice) {
            this.toolChoice = toolChoice;
            return this;
        }

        public Builder parallelToolCalls(Boolean parallelToolCalls) {
            this.parallelToolCalls = parallelToolCalls;
            return this;
        }

        public Builder user(String user) {
            this.user = user;
            return this;
        }

        public Builder reasoningEffort(String reasoningEffort) {
            this.reasoningEffort = reasoningEffort;
            return this;
        }

        public Builder extra(ObjectNode extra) {
            this.extra = extra;
            return this;
        }

        public ChatRequest build() {
            return new ChatRequest(
                    model,
                    messages,
                    temperature,
                    topP,
                    maxTokens,
                    maxCompletionTokens,
                    stop,
                    seed,
                    presencePenalty,
                    frequencyPenalty,
                    logitBias,
                    n,
                    responseFormat,
                    tools,
                    toolChoice,
                    parallelToolCalls,
                    user,
                    reasoningEffort,
                    extra);
        }
    }
}
