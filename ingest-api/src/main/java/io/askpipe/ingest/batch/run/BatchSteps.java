package io.askpipe.ingest.batch.run;

import io.askpipe.ingest.batch.store.Batch;
import io.askpipe.ingest.batch.store.LineOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Which step a leased batch takes next, by where it stands:
 *
 * <ul>
 *   <li>{@code validating}: its input file is validated;
 *   <li>{@code in_progress}: its lines are queued until all are, its window ends (the rest are
 *       then settled {@code expired} without asks) or its runner's slice does; once all are queued
 *       it waits for their results, and is finalized when every line has one, or when its window's
 *       grace is past (the lines still waiting are expired);
 *   <li>{@code cancelling}: its waiting lines are sent their cancels and the rest settled {@code
 *       cancelled}; then as {@code in_progress}, into {@code cancelled};
 *   <li>{@code finalizing}: its files are written and it ends;
 *   <li>ended with a callback: its event is published.
 * </ul>
 */
final class BatchSteps {
    private final Validation validation;
    private final Expansion expansion;
    private final Closing closing;
    private final Finalization finalization;
    private final BatchEvents events;
    private final Duration expiryGrace;
    private final Clock clock;

    BatchSteps(
            Validation validation,
            Expansion expansion,
            Closing closing,
            Finalization finalization,
            BatchEvents events,
            Duration expiryGrace,
            Clock clock) {
        this.validation = validation;
        this.expansion = expansion;
        this.closing = closing;
        this.finalization = finalization;
        this.events = events;
        this.expiryGrace = expiryGrace;
        this.clock = clock;
    }

    /** Takes {@code batch}'s next step under {@code owner}'s lease, working no longer than {@code until} where it can stop. */
    void next(Batch batch, String owner, Instant until) throws Exception {
        Instant now = clock.instant();
        boolean windowEnded = !now.isBefore(batch.timeline().expiresAt());
        boolean graceEnded = !now.isBefore(batch.timeline().expiresAt().plus(expiryGrace));
        switch (batch.status()) {
            case VALIDATING -> validation.run(batch, owner);
            case IN_PROGRESS -> {
                if (!batch.checkpoint().done()) {
                    if (windowEnded) {
                        closing.settleUnqueued(batch, owner, LineOutcome.EXPIRED);
                    } else {
                        expansion.run(batch, owner, until);
                    }
                } else {
                    settleOrWait(batch, owner, graceEnded, LineOutcome.EXPIRED);
                }
            }
            case CANCELLING -> {
                if (batch.cancelsSentAt().isEmpty()) {
                    closing.cancel(batch, owner);
                } else {
                    settleOrWait(batch, owner, graceEnded, LineOutcome.CANCELLED);
                }
            }
            case FINALIZING -> finalization.run(batch, owner);
            case FAILED, COMPLETED, EXPIRED, CANCELLED -> {
                if (batch.eventId().isPresent() && batch.eventPublishedAt().isEmpty()) {
                    events.publish(batch);
                }
            }
        }
    }

    /** Finalizes {@code batch} once every line has its outcome; past its grace, settles the rest as {@code late} first. */
    private void settleOrWait(Batch batch, String owner, boolean graceEnded, LineOutcome late) throws Exception {
        if (batch.counts().settled()) {
            finalization.run(batch, owner);
        } else if (graceEnded) {
            closing.settleWaiting(batch, late);
        }
    }
}
