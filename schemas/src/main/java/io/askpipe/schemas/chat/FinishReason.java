package io.askpipe.schemas.chat;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Why the model stopped, in OpenAI's words: each backend maps its own reason (Ollama's {@code
 * done_reason}, Anthropic's {@code stop_reason}) to one of these.
 */
public enum FinishReason {
    /** A natural end, or a stop sequence. */
    STOP,
    /** The token limit ({@code max_tokens}, {@code max_completion_tokens}) or the context ran out. */
    LENGTH,
    /** The model called tools. */
    TOOL_CALLS,
    /** The vendor's content filter cut the answer. */
    CONTENT_FILTER;

    /** The lower-case wire name. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The reason named {@code wireName}, if there is one. */
    public static Optional<FinishReason> fromWireName(String wireName) {
        return Arrays.stream(values())
                .filter(reason -> reason.wireName().equals(wireName))
                .findFirst();
    }

    @JsonCreator
    static FinishReason fromWire(String wireName) {
        return fromWireName(wireName).orElseThrow(() -> new IllegalArgumentException("no finish reason " + wireName));
    }
}
