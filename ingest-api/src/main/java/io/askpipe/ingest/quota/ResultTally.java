package io.askpipe.ingest.quota;

import io.askpipe.schemas.AskResult;
import java.time.Clock;
import java.util.Collection;
import org.jooq.DSLContext;

/**
 * Tallies finished asks into the quotas, a poll of results in one statement ({@link
 * FinishedAsks}: their asks finished, their tokens added to their users' months); the statement
 * makes a result read twice count once, so the group that reads them may deliver it again.
 */
public final class ResultTally {
    private final FinishedAsks finished;
    private final Clock clock;

    public ResultTally(DSLContext db, Clock clock) {
        this.finished = new FinishedAsks(db);
        this.clock = clock;
    }

    /** Tallies {@code results} (one per ask) into {@code db} (schema {@code ingest}). */
    public void tally(Collection<AskResult> results) {
        finished.tally(
                results.stream()
                        .map(result -> FinishedAsks.Finished.at(
                                result.reqId(), result.usage().totalTokens(), result.completedAt()))
                        .toList(),
                clock.instant());
    }
}
