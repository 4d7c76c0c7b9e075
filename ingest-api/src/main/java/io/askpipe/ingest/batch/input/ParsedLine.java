package io.askpipe.ingest.batch.input;

import io.askpipe.ingest.api.AskSubmission;
import io.askpipe.ingest.batch.store.BatchError;
import java.util.Objects;

/** One line of an input file, read and judged: a request, a blank line, or a line in error. */
public sealed interface ParsedLine {
    /** Its place in the file, counted from 1. */
    long number();

    /** The offset in the file just past it: where a reading resumes after it. */
    long end();

    /**
     * A valid request line.
     *
     * @param customId its {@code custom_id}
     * @param submission its {@code body}, validated as {@code POST /v1/ask} validates a body
     */
    record Request(long number, long end, String customId, AskSubmission submission) implements ParsedLine {
        public Request {
            Objects.requireNonNull(customId, "customId");
            Objects.requireNonNull(submission, "submission");
        }
    }

    /** A line that holds nothing: skipped, as JSON Lines readers skip it. */
    record Blank(long number, long end) implements ParsedLine {}

    /** A line in error; {@code customId} is empty when it has none that reads. */
    record Bad(long number, long end, java.util.Optional<String> customId, BatchError error) implements ParsedLine {
        public Bad {
            Objects.requireNonNull(customId, "customId");
            Objects.requireNonNull(error, "error");
        }
    }
}
