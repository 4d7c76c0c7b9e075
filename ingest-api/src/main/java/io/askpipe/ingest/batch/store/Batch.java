package io.askpipe.ingest.batch.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One batch as its row holds it: what its owner asked for, where it stands, what its lines came to,
 * and where its runner got to.
 *
 * @param id {@code batch_} and 32 hex digits of a UUIDv7
 * @param userId its owner
 * @param inputFileId the file of its lines
 * @param endpoint the route every line calls ({@code /v1/chat/completions})
 * @param completionWindow the window as its owner wrote it ({@code 24h})
 * @param metadata its owner's labels, in key order
 * @param callbackUrl where its terminal status is announced (askpipe's extension), if anywhere
 * @param outputExpiresAfter how long its output and error files are kept
 * @param status where it stands
 * @param counts its lines: in all, succeeded, and ended otherwise
 * @param usage the tokens its lines' answers used, summed
 * @param errors why it failed validation; empty otherwise
 * @param outputFileId its output file, once written and if not empty
 * @param errorFileId its error file, once written and if not empty
 * @param timeline when it reached each status
 * @param checkpoint how much of its input file was queued as asks
 * @param cancelsSentAt when the cancels of its lines were published, once cancelling
 * @param eventId the id of its {@code BatchEvent}, fixed at its terminal status when it has a callback
 * @param eventPublishedAt when that event was acknowledged
 */
public record Batch(
        String id,
        String userId,
        String inputFileId,
        String endpoint,
        String completionWindow,
        Map<String, String> metadata,
        Optional<String> callbackUrl,
        Duration outputExpiresAfter,
        BatchStatus status,
        Counts counts,
        Usage usage,
        List<BatchError> errors,
        Optional<String> outputFileId,
        Optional<String> errorFileId,
        Timeline timeline,
        Checkpoint checkpoint,
        Optional<Instant> cancelsSentAt,
        Optional<String> eventId,
        Optional<Instant> eventPublishedAt) {
    public Batch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(status, "status");
        metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
        errors = List.copyOf(errors);
    }

    /**
     * OpenAI's {@code request_counts}.
     *
     * @param total the lines of its input file
     * @param completed the lines that succeeded
     * @param failed the lines that ended otherwise: failed, expired or cancelled
     */
    public record Counts(long total, long completed, long failed) {
        public static final Counts NONE = new Counts(0, 0, 0);

        /** Whether every line has its outcome. */
        public boolean settled() {
            return completed + failed >= total;
        }
    }

    /**
     * OpenAI's {@code usage} of a batch: the tokens of its lines' answers, summed.
     *
     * @param inputTokens prompt tokens
     * @param outputTokens completion tokens
     * @param totalTokens both
     * @param cachedTokens of the prompt tokens, those read from the vendor's cache
     * @param reasoningTokens of the completion tokens, those spent reasoning
     */
    public record Usage(
            long inputTokens, long outputTokens, long totalTokens, long cachedTokens, long reasoningTokens) {
        public static final Usage NONE = new Usage(0, 0, 0, 0, 0);
    }

    /** When the batch reached each status; empty for the statuses it has not reached. */
    public record Timeline(
            Instant createdAt,
            Optional<Instant> inProgressAt,
            Instant expiresAt,
            Optional<Instant> finalizingAt,
            Optional<Instant> completedAt,
            Optional<Instant> failedAt,
            Optional<Instant> expiredAt,
            Optional<Instant> cancellingAt,
            Optional<Instant> cancelledAt) {
        public Timeline {
            Objects.requireNonNull(createdAt, "createdAt");
            Objects.requireNonNull(expiresAt, "expiresAt");
        }

        /** When the batch reached its terminal status, if it did. */
        public Optional<Instant> endedAt() {
            return Stream.of(completedAt, failedAt, expiredAt, cancelledAt)
                    .flatMap(Optional::stream)
                    .findFirst();
        }
    }

    /**
     * How far the expansion got: the lines and bytes of the input file whose asks were queued (or
     * settled without one), of the file's {@code inputBytes}.
     */
    public record Checkpoint(long inputBytes, long lines, long bytes) {
        public static final Checkpoint START = new Checkpoint(0, 0, 0);

        /** Whether every line of the input file was queued or settled. */
        public boolean done() {
            return bytes >= inputBytes;
        }
    }

    /** The moment this batch's runner judges its lines at: when it went in progress (or was created). */
    public Instant acceptedAt() {
        return timeline.inProgressAt().orElse(timeline.createdAt());
    }
}
