package io.askpipe.store.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Usage;
import java.time.Instant;
import java.util.Map;

/**
 * What {@code GET /v1/ask/{id}} answers: the ask's status and, once it is terminal, the
 * standardized result envelope, how many backend calls it took and (for a failure) the typed error;
 * and the client's metadata, when the ask has any.
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

    /** The standardized result: {@code {backend, model, answer, usage, latency_ms, req_id}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Envelope(String backend, String model, String answer, Usage usage, long latencyMs, String reqId) {}
}
