package io.askpipe.bench.cost;

import io.askpipe.bench.accept.IngestLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;

/**
 * Ingest's accepted mark of each claimed ask once Kafka acknowledged it ({@link
 * PostgresAskLedger#accepted}), with {@code callers} submits in flight whose marks the ledger's
 * batcher groups into one batch of updates per transaction.
 */
final class LedgerMarks implements Step {
    private final IngestLedger ledger;
    private final Asks asks;
    private final int callers;

    LedgerMarks(IngestLedger ledger, Asks asks, int callers) {
        this.ledger = ledger;
        this.asks = asks;
        this.callers = callers;
    }

    @Override
    public Description description() {
        return new Description(
                "2. ingest: idempotency ledger accepted mark",
                "a retry of an accepted ask replays its 202; the recovery does not publish it again",
                "one mark, from the call to its answer: the wait for its batch and the batch's updates (" + callers
                        + " submits in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        Callers.run(callers, first, count, i -> ledger.markAccepted(asks.request(i)), timings);
    }
}
