package io.askpipe.ingest.batch.store;

import static io.askpipe.ingest.db.Tables.BATCHES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.askpipe.ingest.db.tables.records.BatchesRecord;
import io.askpipe.schemas.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.TableField;

/** The mapping between a {@link Batch} and its row of {@code ingest.batches}. */
final class BatchRows {
    private static final TypeReference<Map<String, String>> METADATA = new TypeReference<>() {};
    private static final TypeReference<List<BatchError.Wire>> ERRORS = new TypeReference<>() {};

    private BatchRows() {}

    /** The row of the new batch {@code batch}. */
    static BatchesRecord record(DSLContext db, Batch batch) {
        BatchesRecord row = db.newRecord(BATCHES);
        row.setId(batch.id());
        row.setUserId(batch.userId());
        row.setInputFileId(batch.inputFileId());
        row.setEndpoint(batch.endpoint());
        row.setCompletionWindow(batch.completionWindow());
        row.setMetadata(batch.metadata().isEmpty() ? null : write(batch.metadata()));
        row.setCallbackUrl(batch.callbackUrl().orElse(null));
        row.setStatus(batch.status().wireName());
        row.setOutputExpiresAfter(batch.outputExpiresAfter().toSeconds());
        row.setCreatedAt(at(batch.timeline().createdAt()));
        row.setExpiresAt(at(batch.timeline().expiresAt()));
        return row;
    }

    /** The batch of {@code row}. */
    static Batch batch(BatchesRecord row) {
        Batch.Timeline timeline = new Batch.Timeline(
                row.getCreatedAt().toInstant(),
                instant(row.getInProgressAt()),
                row.getExpiresAt().toInstant(),
                instant(row.getFinalizingAt()),
                instant(row.getCompletedAt()),
                instant(row.getFailedAt()),
                instant(row.getExpiredAt()),
                instant(row.getCancellingAt()),
                instant(row.getCancelledAt()));
        return new Batch(
                row.getId(),
                row.getUserId(),
                row.getInputFileId(),
                row.getEndpoint(),
                row.getCompletionWindow(),
                row.getMetadata() == null ? Map.of() : read(row.getMetadata(), METADATA),
                Optional.ofNullable(row.getCallbackUrl()),
                Duration.ofSeconds(row.getOutputExpiresAfter()),
                BatchStatus.fromWire(row.getStatus())
                        .orElseThrow(() -> new IllegalStateException("unknown batch status " + row.getStatus())),
                new Batch.Counts(row.getTotal(), row.getCompleted(), row.getFailed()),
                new Batch.Usage(
                        row.getInputTokens(),
                        row.getOutputTokens(),
                        row.getTotalTokens(),
                        row.getCachedTokens(),
                        row.getReasoningTokens()),
                row.getErrors() == null
                        ? List.of()
                        : read(row.getErrors(), ERRORS).stream()
                                .map(BatchError::of)
                                .toList(),
                Optional.ofNullable(row.getOutputFileId()),
                Optional.ofNullable(row.getErrorFileId()),
                timeline,
                new Batch.Checkpoint(row.getInputBytes(), row.getExpandedLines(), row.getExpandedBytes()),
                instant(row.getCancelsSentAt()),
                Optional.ofNullable(row.getEventId()),
                instant(row.getEventPublishedAt()));
    }

    /** The JSON text of {@code errors}, as the row keeps them. */
    static String errors(List<BatchError> errors) {
        return errors.isEmpty()
                ? null
                : write(errors.stream().map(BatchError::wire).toList());
    }

    /** The column that says when a batch reached the terminal status {@code status}. */
    static TableField<BatchesRecord, OffsetDateTime> moment(BatchStatus status) {
        return switch (status) {
            case COMPLETED -> BATCHES.COMPLETED_AT;
            case FAILED -> BATCHES.FAILED_AT;
            case EXPIRED -> BATCHES.EXPIRED_AT;
            case CANCELLED -> BATCHES.CANCELLED_AT;
            default -> throw new IllegalArgumentException(status + " is not terminal");
        };
    }

    static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Optional<Instant> instant(OffsetDateTime at) {
        return Optional.ofNullable(at).map(OffsetDateTime::toInstant);
    }

    private static String write(Object value) {
        try {
            return Json.mapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("strings and numbers always serialize", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a batch's stored JSON no longer reads: " + e.getOriginalMessage(), e);
        }
    }
}
