package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.output.OutputFiles;
import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.BatchIds;
import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.BatchStatus;
import io.askpipe.ingest.batch.store.LineOutcome;
import io.askpipe.ingest.batch.store.PostgresBatches;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a batch whose every line has its outcome: an in-progress one moves to {@code finalizing},
 * its output and error files are written ({@link OutputFiles}), and one statement gives it its
 * terminal status with both files: {@code cancelled} from {@code cancelling}, {@code expired} when
 * its window ended before a line did, {@code completed} otherwise. A crash while the files are
 * written leaves them unfinished (deleted later) and the next pass writes them anew.
 */
final class Finalization {
    private static final Logger LOG = LoggerFactory.getLogger(Finalization.class);

    private final PostgresBatches batches;
    private final BatchLines lines;
    private final OutputFiles outputs;
    private final Clock clock;

    Finalization(PostgresBatches batches, BatchLines lines, OutputFiles outputs, Clock clock) {
        this.batches = batches;
        this.lines = lines;
        this.outputs = outputs;
        this.clock = clock;
    }

    /** Finalizes {@code batch}, in progress, finalizing or cancelling with every line settled, leased by {@code owner}. */
    void run(Batch batch, String owner) throws Exception {
        Batch current = batch;
        if (batch.status() == BatchStatus.IN_PROGRESS) {
            if (!batches.finalizing(batch.id(), owner, now())) {
                throw new LeaseLost(batch.id());
            }
            current = batches.find(batch.id()).orElseThrow();
        }
        OutputFiles.Written written = outputs.write(current, now());
        BatchStatus to = switch (current.status()) {
            case CANCELLING -> BatchStatus.CANCELLED;
            case FINALIZING -> expired(current) ? BatchStatus.EXPIRED : BatchStatus.COMPLETED;
            default -> throw new IllegalStateException("batch " + batch.id() + " is " + current.status());
        };
        if (!batches.finish(
                batch.id(),
                owner,
                current.status(),
                to,
                now(),
                written.outputFileId(),
                written.errorFileId(),
                BatchIds.event(clock))) {
            LOG.warn(
                    "batch {} was not ended {}: its lease ran out while its files {} and {} were written",
                    batch.id(),
                    to.wireName(),
                    written.outputFileId().orElse("(none)"),
                    written.errorFileId().orElse("(none)"));
            throw new LeaseLost(batch.id());
        }
    }

    /** Whether the window of the finalizing {@code batch} ended before all its lines did. */
    private boolean expired(Batch batch) {
        Instant finalizingAt = batch.timeline().finalizingAt().orElseThrow();
        return !finalizingAt.isBefore(batch.timeline().expiresAt()) && lines.any(batch.id(), LineOutcome.EXPIRED);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }
}
