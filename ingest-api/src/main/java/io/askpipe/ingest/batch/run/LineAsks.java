package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.batch.input.ParsedLine;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Priority;
import java.time.Instant;
import java.util.Optional;

/**
 * What a batch's line becomes: the ask of a request line (the batch's user, at batch priority,
 * accepted when the batch went in progress, its deadline the batch's window or the line's own
 * if earlier, its idempotency key {@code <batch id>/<custom_id>}, no callback), or the failed result
 * of a line refused at expansion (one that no longer validates, or that the queue can never take).
 */
final class LineAsks {
    /** The backend named by the result of a line that ingest refused: no backend was asked. */
    static final String REFUSED_BY = "ingest";

    private LineAsks() {}

    /** The ask of {@code line}, a line of {@code batch}, as {@code requestId}. */
    static AskRequest ask(Batch batch, ParsedLine.Request line, String requestId) {
        AskSubmission submission = line.submission();
        Instant acceptedAt = batch.acceptedAt();
        Instant window = batch.timeline().expiresAt();
        Instant deadline = submission
                .expiry()
                .map(expiry -> expiry.deadline(acceptedAt))
                .filter(own -> own.isBefore(window))
                .orElse(window);
        return new AskRequest(
                requestId,
                batch.userId(),
                idempotencyKey(batch, line.customId()),
                submission.chat(),
                submission.backend(),
                acceptedAt,
                null,
                submission.metadata(),
                null,
                Optional.of(deadline),
                Priority.BATCH);
    }

    /** The idempotency key of the line {@code customId} of {@code batch}: what its ask's scope says. */
    static String idempotencyKey(Batch batch, String customId) {
        return batch.id() + "/" + customId;
    }

    /** The result of line {@code requestId}, refused at {@code now} for {@code reason}. */
    static AskResult refused(String requestId, String reason, Instant now) {
        return AskResult.failed(
                requestId, REFUSED_BY, null, new AskError(ErrorType.INVALID_REQUEST, reason), 0, 0, now);
    }

    /** The {@code custom_id} of {@code line}, or, for a line whose own does not read, one naming its place. */
    static String customId(ParsedLine line) {
        return switch (line) {
            case ParsedLine.Request request -> request.customId();
            case ParsedLine.Bad bad -> bad.customId().orElse("line-" + bad.number());
            case ParsedLine.Blank blank -> throw new IllegalArgumentException("a blank line has no custom_id");
        };
    }
}
