package io.askpipe.store.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code GET /v1/ask/{id}} answers: the ask's status and, once it is terminal, the
 * standardized result envelope, how many backend calls it took and (for a failure, an expired or
 * a cancelled ask) the typed error;
 * and the client's metadata, when the ask has any. A terminal ask's view holds its whole result
 * ({@link #outcome()}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AskView(
        String requestId,
        AskStatus status,
        Instant acceptedAt,
        Instant completedAt,
        Envelope result,
        Integer attempts,
        AskError error,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> metadata) {

    public AskView {
        metadata = metadata == null ? Map.of() : metadata;
    }

    /** An ask without metadata. */
    public AskView(
            String requestId,
            AskStatus status,
            Instant acceptedAt,
            Instant completedAt,
            Envelope result,
            Integer attempts,
            AskError error) {
        this(requestId, status, acceptedAt, completedAt, result, attempts, error, Map.of());
    }

    /**
     * The ask's result as the router published it, once it is terminal: what {@code GET
     * /v1/ask/{id}/completion} renders as OpenAI's {@code chat.completion} (or error object).
     */
    public Optional<AskResult> outcome() {
        if (!status.terminal()) {
            return Optional.empty();
        }
        return Optional.of(new AskResult(
                result.backend(),
                result.model(),
                result.answer(),
                result.usage(),
                result.latencyMs(),
                result.reqId(),
                status,
                error,
                attempts,
                completedAt,
                result.finishReason(),
                result.message(),
                result.systemFingerprint()));
    }

    /**
     * The standardized result: {@code {backend, model, answer, usage, latency_ms, req_id}}, and what
     * the backend said besides the answer's text when it said it: why the model stopped, the
     * assistant's whole message (its tool calls, a refusal), the usage details (in {@code usage})
     * and the vendor's system fingerprint.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Envelope(
            String backend,
            String model,
            String answer,
            Usage usage,
            long latencyMs,
            String reqId,
            FinishReason finishReason,
            ChatMessage message,
            String systemFingerprint) {

        /** The envelope of a backend that said only the answer's text, or of a failure. */
        public Envelope(String backend, String model, String answer, Usage usage, long latencyMs, String reqId) {
            this(backend, model, answer, usage, latencyMs, reqId, null, null, null);
        }
    }
}
