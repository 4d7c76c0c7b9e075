package io.askpipe.ingest.files;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored file, as OpenAI's file object describes it.
 *
 * @param id {@code file-} and 32 hex digits of a UUIDv7, so ids sort by creation
 * @param userId its owner
 * @param purpose {@code batch} (uploaded for a batch), {@code batch_output} (a batch's output or error file)
 * @param filename the name it was uploaded or written with
 * @param bytes its size
 * @param lines its count of lines (a last line without a newline counts)
 * @param createdAt when it was stored
 * @param expiresAt when it stops being served and is deleted; empty if never
 */
public record StoredFile(
        String id,
        String userId,
        String purpose,
        String filename,
        long bytes,
        long lines,
        Instant createdAt,
        Optional<Instant> expiresAt) {
    public StoredFile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
