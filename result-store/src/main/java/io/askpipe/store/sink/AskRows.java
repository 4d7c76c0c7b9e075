package io.askpipe.store.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import io.askpipe.schemas.chat.ChatMessage;
import io.askpipe.schemas.chat.FinishReason;
import io.askpipe.store.db.tables.records.AsksRecord;
import io.askpipe.store.view.AskView;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.jooq.JSONB;

/**
 * The mapping between a row of {@code asks} and what a client sees of it: the row as an {@link
 * AskView}, and an ask's metadata and its result's assistant message as the row's {@code jsonb}
 * columns (absent when it has none).
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
                    usage(row),
                    row.getLatencyMs(),
                    row.getRequestId(),
                    row.getFinishReason() == null
                            ? null
                            // a reason a newer version added reads as not said
                            : FinishReason.fromWireName(row.getFinishReason()).orElse(null),
                    message(row.getMessage()),
                    row.getSystemFingerprint());
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

    /** The token counts of {@code row}, with the details the backend reported. */
    private static Usage usage(AsksRecord row) {
        return new Usage(
                row.getPromptTokens(),
                row.getCompletionTokens(),
                row.getTotalTokens(),
                row.getCachedTokens() == null ? null : new Usage.PromptTokensDetails(row.getCachedTokens()),
                row.getReasoningTokens() == null ? null : new Usage.CompletionTokensDetails(row.getReasoningTokens()));
    }

    /** The result's reply into {@code row}: finish reason, message, usage details, fingerprint. */
    static void reply(AsksRecord row, AskResult result) {
        row.setFinishReason(
                result.finishReason() == null ? null : result.finishReason().wireName());
        row.setMessage(result.message() == null ? null : JSONB.valueOf(json(result.message())));
        Usage usage = result.usage();
        row.setCachedTokens(
                usage.promptTokensDetails() == null
                        ? null
                        : usage.promptTokensDetails().cachedTokens());
        row.setReasoningTokens(
                usage.completionTokensDetails() == null
                        ? null
                        : usage.completionTokensDetails().reasoningTokens());
        row.setSystemFingerprint(result.systemFingerprint());
    }

    /** {@code metadata} as the column holds it: a JSON object, or {@code null} when it is empty. */
    static JSONB metadata(Map<String, String> metadata) {
        return metadata.isEmpty() ? null : JSONB.valueOf(json(metadata));
    }

    /** The JSON of {@code value}: a map of strings, or a message. */
    static String json(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a map of strings and a message always serialize", e);
        }
    }

    private static ChatMessage message(JSONB column) {
        if (column == null) {
            return null;
        }
        try {
            return Json.mapper().readValue(column.data(), ChatMessage.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the message column holds a chat message: " + column, e);
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
