package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.input.InputLineParser;
import io.askpipe.ingest.batch.input.InputValidator;
import io.askpipe.ingest.batch.input.LineCode;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchError;
import io.askpipe.ingest.batch.store.BatchIds;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.files.StoredFile;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * Validates a batch's whole input file ({@link InputValidator}) and moves the batch on: {@code
 * failed} with every bad line named, or {@code in_progress} with its count of lines. Its lines are
 * judged at the moment it goes in progress, and every later reading of them (the expansion) judges
 * them as at that moment, so a line valid now stays valid.
 */
final class Validation {
    /** The purpose of a file uploaded as a batch's input. */
    static final String INPUT_PURPOSE = "batch";

    private final FileStore files;
    private final PostgresBatches batches;
    private final BatchInputs inputs;
    private final InputValidator validator;
    private final Clock clock;

    Validation(FileStore files, PostgresBatches batches, BatchInputs inputs, InputValidator validator, Clock clock) {
        this.files = files;
        this.batches = batches;
        this.inputs = inputs;
        this.validator = validator;
        this.clock = clock;
    }

    /** Validates the validating {@code batch}, leased by {@code owner}. */
    void run(Batch batch, String owner) throws IOException {
        // to the microsecond, as PostgreSQL keeps in_progress_at: the expansion judges lines at the same moment
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<StoredFile> file =
                files.find(batch.userId(), batch.inputFileId()).filter(found -> INPUT_PURPOSE.equals(found.purpose()));
        if (file.isEmpty()) {
            fail(
                    batch,
                    owner,
                    List.of(new BatchError(
                            LineCode.INPUT_FILE_UNAVAILABLE.code(),
                            Optional.empty(),
                            "The input file " + batch.inputFileId() + " is gone (deleted or expired).",
                            Optional.empty())),
                    now);
            return;
        }
        InputLineParser parser = inputs.parser(batch, now);
        InputValidator.Verdict verdict = validator.validate(files.open(file.get()), parser);
        // either move is void once the batch was cancelled meanwhile: it is cancelled, with no lines
        if (!verdict.valid()) {
            fail(batch, owner, verdict.errors(), now);
        } else {
            batches.inProgress(batch.id(), owner, verdict.requests(), verdict.bytes(), now);
        }
    }

    private void fail(Batch batch, String owner, List<BatchError> errors, Instant now) {
        batches.failed(batch.id(), owner, errors, now, BatchIds.event(clock));
    }
}
