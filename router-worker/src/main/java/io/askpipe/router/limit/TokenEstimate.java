package io.askpipe.router.limit;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.chat.ChatRequest;
import java.util.List;

/**
 * The tokens one call is counted for against a tokens-per-minute limit before it is made, as
 * providers count it: the prompt estimated at a token per four characters of its messages and
 * tools, plus the most the answer may take ({@code max_tokens} / {@code max_completion_tokens})
 * when the ask sets it. After the call, {@link #settle} says how far the estimate was off.
 *
 * @param prompt the estimated prompt tokens
 * @param completion the answer's token allowance, 0 when the ask sets none
 */
public record TokenEstimate(long prompt, long completion) {
    /** Characters per token of the estimate: the usual figure for English text and JSON. */
    static final int CHARS_PER_TOKEN = 4;

    /** The estimate for {@code call}. */
    public static TokenEstimate of(BackendCall call) {
        ChatRequest chat = call.chat();
        long chars = jsonLength(chat.messages()) + (chat.tools() == null ? 0 : jsonLength(chat.tools()));
        long prompt = Math.max(1, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN);
        return new TokenEstimate(prompt, call.maxTokens().orElse(0));
    }

    /** The tokens taken before the call. */
    public long total() {
        return prompt + completion;
    }

    /**
     * The tokens the call really cost, given how it ended: an answer's reported usage (the estimate
     * when it reports none); a failure is counted for its prompt, the answer's allowance given back.
     */
    public long actual(BackendOutcome outcome) {
        return switch (outcome) {
            case BackendOutcome.Completed completed ->
                completed.usage().totalTokens() > 0 ? completed.usage().totalTokens() : total();
            case BackendOutcome.Failed failed -> prompt;
        };
    }

    /**
     * What to take from the bucket after the call ended in {@code outcome}: positive when it cost
     * more than was taken, negative when tokens are to be given back.
     */
    public long settle(BackendOutcome outcome) {
        return actual(outcome) - total();
    }

    private static long jsonLength(List<?> values) {
        try {
            return Json.mapper().writeValueAsString(values).length();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a chat request always serializes", e);
        }
    }
}
