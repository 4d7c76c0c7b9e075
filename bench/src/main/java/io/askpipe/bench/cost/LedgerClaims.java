package io.askpipe.bench.cost;

import io.askpipe.bench.accept.IngestLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;

/**
 * Ingest's idempotency claim of each ask ({@link PostgresAskLedger#claim}), with {@code callers}
 * submits in flight whose claims the ledger's batcher groups into one insert per batch.
 */
final class LedgerClaims implements Step {
    private final IngestLedger ledger;
    private final Asks asks;
    private final int callers;

    LedgerClaims(IngestLedger ledger, Asks asks, int callers) {
        this.ledger = ledger;
        this.asks = asks;
        this.callers = callers;
    }

    @Override
    public Description description() {
        return new Description(
                "1. ingest: idempotency ledger claim",
                "a retried submit gets the first answer; a 202 is never lost (the ask is stored with its claim)",
                "one claim, from the call to its answer: the wait for its batch and the batch's insert (" + callers
                        + " submits in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        Callers.run(callers, first, count, i -> ledger.claim(asks.request(i), asks.fingerprint(i)), timings);
    }
}
