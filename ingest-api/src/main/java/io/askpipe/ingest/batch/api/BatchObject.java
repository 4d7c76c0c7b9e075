package io.askpipe.ingest.batch.api;

import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch as OpenAI's batch object shows it, member for member, serialized with the shared mapping
 * (snake_case): every moment in seconds since the epoch, {@code null} for a status not reached,
 * {@code errors} {@code null} unless validation failed, {@code metadata} {@code null} when none
 * was given.
 */
record BatchObject(
        String id,
        String object,
        String endpoint,
        Errors errors,
        String inputFileId,
        String completionWindow,
        String status,
        String outputFileId,
        String errorFileId,
        long createdAt,
        Long inProgressAt,
        long expiresAt,
        Long finalizingAt,
        Long completedAt,
        Long failedAt,
        Long expiredAt,
        Long cancellingAt,
        Long cancelledAt,
        RequestCounts requestCounts,
        Map<String, String> metadata,
        Usage usage) {
    static final String OBJECT = "batch";

    /** OpenAI's list of a failed batch's errors. */
    record Errors(String object, List<BatchError.Wire> data) {}

    /** OpenAI's {@code request_counts}. */
    record RequestCounts(long total, long completed, long failed) {}

    /** OpenAI's {@code usage} of a batch, with its two details. */
    record Usage(
            long inputTokens,
            InputTokensDetails inputTokensDetails,
            long outputTokens,
            OutputTokensDetails outputTokensDetails,
            long totalTokens) {}

    /** Of the input tokens, those read from the vendor's cache. */
    record InputTokensDetails(long cachedTokens) {}

    /** Of the output tokens, those spent reasoning. */
    record OutputTokensDetails(long reasoningTokens) {}

    /** The object of {@code batch}. */
    static BatchObject of(Batch batch) {
        Batch.Timeline at = batch.timeline();
        Batch.Usage usage = batch.usage();
        return new BatchObject(
                batch.id(),
                OBJECT,
                batch.endpoint(),
                batch.errors().isEmpty()
                        ? null
                        : new Errors(
                                "list",
                                batch.errors().stream().map(BatchError::wire).toList()),
                batch.inputFileId(),
                batch.completionWindow(),
                batch.status().wireName(),
                batch.outputFileId().orElse(null),
                batch.errorFileId().orElse(null),
                at.createdAt().getEpochSecond(),
                seconds(at.inProgressAt()),
                at.expiresAt().getEpochSecond(),
                seconds(at.finalizingAt()),
                seconds(at.completedAt()),
                seconds(at.failedAt()),
                seconds(at.expiredAt()),
                seconds(at.cancellingAt()),
                seconds(at.cancelledAt()),
                new RequestCounts(
                        batch.counts().total(),
                        batch.counts().completed(),
                        batch.counts().failed()),
                batch.metadata().isEmpty() ? null : batch.metadata(),
                new Usage(
                        usage.inputTokens(),
                        new InputTokensDetails(usage.cachedTokens()),
                        usage.outputTokens(),
                        new OutputTokensDetails(usage.reasoningTokens()),
                        usage.totalTokens()));
    }

    private static Long seconds(Optional<Instant> at) {
        return at.map(Instant::getEpochSecond).orElse(null);
    }

    /**
     * OpenAI's list of batches, newest first: {@code first_id} and {@code last_id} of this page
     * ({@code null} when it is empty), {@code has_more} when older ones follow.
     */
    record Page(String object, List<BatchObject> data, String firstId, String lastId, boolean hasMore) {
        static Page of(List<Batch> batches, boolean hasMore) {
            List<BatchObject> data = batches.stream().map(BatchObject::of).toList();
            return new Page(
                    "list",
                    data,
                    data.isEmpty() ? null : data.getFirst().id(),
                    data.isEmpty() ? null : data.getLast().id(),
                    hasMore);
        }
    }
}
