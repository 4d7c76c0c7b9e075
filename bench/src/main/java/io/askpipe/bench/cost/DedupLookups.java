package io.askpipe.bench.cost;

import io.askpipe.router.process.RouterResults;

/**
 * The router's look-up of each fresh ask among the results already kept ({@link
 * RouterResults#find}), with {@code callers} asks running at once whose look-ups the batcher
 * groups into one query. Every ask is new, as nearly every ask is: each look-up finds nothing.
 */
final class DedupLookups implements Step {
    private final RouterResults results;
    private final Asks asks;
    private final int callers;

    DedupLookups(RouterResults results, Asks asks, int callers) {
        this.results = results;
        this.asks = asks;
        this.callers = callers;
    }

    @Override
    public Description description() {
        return new Description(
                "6a. router: dedup look-up of the ask's result",
                "a redelivered or replayed ask is answered again without a second backend call",
                "one look-up, from the call to its answer: the wait for its batch and the batch's query (" + callers
                        + " asks in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        Callers.run(
                callers,
                first,
                count,
                i -> {
                    if (results.find(asks.request(i).requestId()).isPresent()) {
                        throw new IllegalStateException("a fresh ask had a result already");
                    }
                },
                timings);
    }
}
