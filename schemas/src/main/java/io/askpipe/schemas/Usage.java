package io.askpipe.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Token counts as the backend reported them; zero where a backend does not report one. The details
 * are absent unless the backend reports them.
 *
 * @param promptTokens tokens of the request
 * @param completionTokens tokens of the answer, reasoning included
 * @param totalTokens the two together
 * @param promptTokensDetails of the prompt tokens, how many were read from the vendor's cache
 * @param completionTokensDetails of the completion tokens, how many went to reasoning
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Usage(
        int promptTokens,
        int completionTokens,
        int totalTokens,
        PromptTokensDetails promptTokensDetails,
        CompletionTokensDetails completionTokensDetails) {
    public static final Usage NONE = new Usage(0, 0, 0);

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("token counts are never negative");
        }
    }

    /** Usage without details. */
    public Usage(int promptTokens, int completionTokens, int totalTokens) {
        this(promptTokens, completionTokens, totalTokens, null, null);
    }

    /** Usage with the total computed from its parts. */
    public static Usage of(int promptTokens, int completionTokens) {
        return new Usage(promptTokens, completionTokens, promptTokens + completionTokens);
    }

    /** This usage, of which {@code cachedTokens} prompt tokens came from the vendor's cache. */
    public Usage withCachedTokens(int cachedTokens) {
        return new Usage(
                promptTokens,
                completionTokens,
                totalTokens,
                new PromptTokensDetails(cachedTokens),
                completionTokensDetails);
    }

    /** This usage, of which {@code reasoningTokens} completion tokens went to reasoning. */
    public Usage withReasoningTokens(int reasoningTokens) {
        return new Usage(
                promptTokens,
                completionTokens,
                totalTokens,
                promptTokensDetails,
                new CompletionTokensDetails(reasoningTokens));
    }

    /** OpenAI's {@code prompt_tokens_details}: the prompt tokens read from the vendor's cache. */
    public record PromptTokensDetails(int cachedTokens) {
        public PromptTokensDetails {
            if (cachedTokens < 0) {
                throw new IllegalArgumentException("token counts are never negative");
            }
        }
    }

    /** OpenAI's {@code completion_tokens_details}: the completion tokens spent on reasoning. */
    public record CompletionTokensDetails(int reasoningTokens) {
        public CompletionTokensDetails {
            if (reasoningTokens < 0) {
                throw new IllegalArgumentException("token counts are never negative");
            }
        }
    }
}
