package io.askpipe.store.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.store.db.tables.records.AsksRecord;
import io.askpipe.store.view.AskView;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.jooq.JSONB;

/**
 * The mapping between a row of {@code asks} and what a client sees of it: the row as an {@link
 * AskView}, and an ask's metadata as the row's {@code jsonb} column (absent when it has none).
 */
final class AskRows {
    private static final TypeReference<TreeMap<String, String>> PAIRS = new TypeReference<>() {};

    private AskRows() {}

    /** What the client sees of the ask in {@code row}. */
    static AskView view(AsksRecord row) {
        AskStatus status = AskStatus.fromWire(row.getStatus());
        AskView.Envelope envelope = null;
        AskError error = null;
        if (status.terminal()) {
            envelope = new AskView.Envelope(
                    row.getBackend(),
                    row.getModel(),
                    row.getAnswer(),
                    new Usage(row.getPromptTokens(), row.getCompletionTokens(), row.getTotalTokens()),
                    row.getLatencyMs(),
                    row.getRequestId());
        }
        if (row.getErrorType() != null) {
            error = new AskError(AskError.Type.of(row.getErrorType(), row.getErrorHttpStatus()), row.getErrorMessage());
        }
        return new AskView(
                row.getRequestId(),
                status,
                row.getAcceptedAt().toInstant(),
                row.getCompletedAt() == null ? null : row.getCompletedAt().toInstant(),
                envelope,
                status.terminal() ? row.getAttempts() : null,
                error,
                metadata(row.getMetadata()));
    }

    /** {@code metadata} as the column holds it: a JSON object, or {@code null} when it is empty. */
    static JSONB metadata(Map<String, String> metadata) {
        return metadata.isEmpty() ? null : JSONB.valueOf(json(metadata));
    }

    /** The JSON object of {@code pairs}. */
    static String json(Map<String, String> pairs) {
        try {
            return Json.mapper().writeValueAsString(pairs);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings always serializes", e);
        }
    }

    private static Map<String, String> metadata(JSONB column) {
        if (column == null) {
            return Map.of();
        }
        try {
            return Collections.unmodifiableMap(Json.mapper().readValue(column.data(), PAIRS));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the metadata column holds an object of strings: " + column, e);
        }
    }
}
