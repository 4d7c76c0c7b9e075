package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.store.BatchLines;
import io.askpipe.ingest.batch.store.PostgresBatches;
import java.time.Instant;

/**
 * Deletes batches that ended longer ago than their output files are kept ({@code
 * output_expires_after}, 30 days by default), lines first, in bounded statements.
 */
final class Retention {
    private static final int BATCHES_PER_PASS = 10;
    private static final int LINES_PER_STATEMENT = 5_000;

    private final PostgresBatches batches;
    private final BatchLines lines;

    Retention(PostgresBatches batches, BatchLines lines) {
        this.batches = batches;
        this.lines = lines;
    }

    /** Deletes up to a few batches past their retention at {@code now}; returns how many. */
    int purge(Instant now) {
        var ended = batches.pastRetention(now, BATCHES_PER_PASS);
        for (String id : ended) {
            while (lines.delete(id, LINES_PER_STATEMENT) > 0) {
                // the next slice
            }
            batches.delete(id);
        }
        return ended.size();
    }
}
