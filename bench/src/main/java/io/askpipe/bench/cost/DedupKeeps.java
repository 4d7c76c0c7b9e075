package io.askpipe.bench.cost;

import io.askpipe.router.process.RouterResults;

/**
 * The router's keep of each fresh result as the ask's first ({@link RouterResults#keepFirst}), with
 * {@code callers} asks answered at once whose keeps the batcher groups into one insert.
 */
final class DedupKeeps implements Step {
    private final RouterResults results;
    private final Asks asks;
    private final int callers;

    DedupKeeps(RouterResults results, Asks asks, int callers) {
        this.results = results;
        this.asks = asks;
        this.callers = callers;
    }

    @Override
    public Description description() {
        return new Description(
                "6b. router: keep the first result",
                "one result per ask: of two workers racing on it (or an answer and a cancel) one result is kept and published",
                "one keep, from the call to its answer: the wait for its batch and the batch's insert (" + callers
                        + " asks in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        Callers.run(
                callers,
                first,
                count,
                i -> {
                    if (!results.keepFirst(asks.result(i)).equals(asks.result(i))) {
                        throw new IllegalStateException("a fresh result was not the one kept");
                    }
                },
                timings);
    }
}
