package io.askpipe.ingest.batch.run;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.batch.input.InputChunks;
import io.askpipe.ingest.batch.input.InputLineParser;
import io.askpipe.ingest.batch.input.LineCode;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchError;
import io.askpipe.ingest.batch.store.PostgresBatches;
import io.askpipe.ingest.files.FileStore;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch's input file, read on from its checkpoint with its lines judged as at its acceptance;
 * when the file is gone (its owner deleted it, or it expired) before every line was queued, the
 * batch ends its expansion with the lines it has, and says so in its {@code errors}.
 */
final class BatchInputs {
    private static final Logger LOG = LoggerFactory.getLogger(BatchInputs.class);

    private final FileStore files;
    private final PostgresBatches batches;
    private final IngestLimits limits;
    private final CallbackPolicy callbacks;

    BatchInputs(FileStore files, PostgresBatches batches, IngestLimits limits, CallbackPolicy callbacks) {
        this.files = files;
        this.batches = batches;
        this.limits = limits;
        this.callbacks = callbacks;
    }

    /** The lines of {@code batch}'s input after its checkpoint; empty when the file is gone (then handled). */
    Optional<InputChunks> open(Batch batch, String owner) throws IOException {
        var file = files.find(batch.userId(), batch.inputFileId());
        if (file.isEmpty()) {
            LOG.warn(
                    "the input file {} of batch {} is gone after {} of its lines were read: the rest are not run",
                    batch.inputFileId(),
                    batch.id(),
                    batch.checkpoint().lines());
            if (!batches.inputLost(
                    batch.id(),
                    owner,
                    new BatchError(
                            LineCode.INPUT_FILE_UNAVAILABLE.code(),
                            Optional.empty(),
                            "The input file was deleted or expired before every line was queued: the lines after"
                                    + " line " + batch.checkpoint().lines() + " were not run.",
                            Optional.empty()))) {
                throw new LeaseLost(batch.id());
            }
            return Optional.empty();
        }
        return Optional.of(
                InputChunks.open(files.open(file.get()), batch.checkpoint(), parser(batch, batch.acceptedAt())));
    }

    /** The judge of {@code batch}'s lines as at {@code acceptedAt}. */
    InputLineParser parser(Batch batch, Instant acceptedAt) {
        return new InputLineParser(batch.endpoint(), limits, callbacks, acceptedAt);
    }
}
