package io.askpipe.drill.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;
import java.util.Set;

/**
 * What the drill follows of its batch, as OpenAI's batch object tells it.
 *
 * @param id {@code batch_...}
 * @param status {@code validating}, {@code in_progress}, {@code finalizing}, {@code completed} ...
 * @param total {@code request_counts.total}
 * @param completed {@code request_counts.completed}
 * @param failed {@code request_counts.failed}
 * @param outputFileId the output file, once there is one with a line
 * @param errorFileId the error file, once there is one with a line
 * @param expiresAtSeconds {@code expires_at}: the end of its completion window, in seconds since the epoch
 */
public record BatchState(
        String id,
        String status,
        long total,
        long completed,
        long failed,
        Optional<String> outputFileId,
        Optional<String> errorFileId,
        long expiresAtSeconds) {
    /** The statuses a batch ends in. */
    private static final Set<String> TERMINAL = Set.of("completed", "failed", "expired", "cancelled");

    /** The state of the batch object {@code batch}. */
    public static BatchState of(JsonNode batch) {
        JsonNode counts = batch.path("request_counts");
        return new BatchState(
                batch.path("id").asText(),
                batch.path("status").asText(),
                counts.path("total").asLong(),
                counts.path("completed").asLong(),
                counts.path("failed").asLong(),
                text(batch.path("output_file_id")),
                text(batch.path("error_file_id")),
                batch.path("expires_at").asLong());
    }

    /** Whether the batch has ended: it changes no more. */
    public boolean ended() {
        return TERMINAL.contains(status);
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.textValue().isEmpty() ? Optional.of(node.textValue()) : Optional.empty();
    }
}
