package io.askpipe.bench.cost;

import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Ingest's idempotency claim of each ask ({@link PostgresAskLedger#claim}), with {@code callers}
 * submits in flight whose claims the ledger's batcher groups into one insert per batch.
 */
final class LedgerClaims implements Step {
    private final PostgresAskLedger ledger;
    private final Asks asks;
    private final int callers;
    private final Duration ttl;
    private final Clock clock;

    LedgerClaims(PostgresAskLedger ledger, Asks asks, int callers, Duration ttl, Clock clock) {
        this.ledger = ledger;
        this.asks = asks;
        this.callers = callers;
        this.ttl = ttl;
        this.clock = clock;
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
        Callers.run(
                callers,
                first,
                count,
                i -> {
                    Instant now = clock.instant();
                    AskLedger.Claim claim = ledger.claim(
                            asks.request(i), Asks.METHOD, Asks.PATH, asks.fingerprint(i), now, now.plus(ttl));
                    if (!(claim instanceof AskLedger.Claim.Won)) {
                        throw new IllegalStateException("a fresh ask's claim did not win: " + claim);
                    }
                },
                timings);
    }
}
