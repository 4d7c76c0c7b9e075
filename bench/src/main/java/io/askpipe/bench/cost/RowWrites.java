package io.askpipe.bench.cost;

import io.askpipe.schemas.JoinedAsk;
import io.askpipe.store.sink.AskRepository;
import java.util.ArrayList;
import java.util.List;

/**
 * The result store writer's rows in {@code store.asks} ({@link AskRepository#write}), a batch of
 * {@code batch} joined asks to a transaction as the writer writes a poll's records: each ask queued,
 * or each with its result, which makes it terminal and sends its {@code NOTIFY}.
 */
final class RowWrites implements Step {
    private final AskRepository repository;
    private final Asks asks;
    private final int batch;
    private final boolean terminal;

    /** @param terminal whether the asks are written with their results, or queued */
    RowWrites(AskRepository repository, Asks asks, int batch, boolean terminal) {
        this.repository = repository;
        this.asks = asks;
        this.batch = batch;
        this.terminal = terminal;
    }

    @Override
    public Description description() {
        return terminal
                ? new Description(
                        "7b. result store: row write, terminal (NOTIFY)",
                        "a client reads its answer from PostgreSQL, the system of record; a long poll wakes at commit",
                        "one batch of " + batch + " asks: its transaction, from the call to the commit")
                : new Description(
                        "7a. result store: row write, queued",
                        "a client that polls at once finds its accepted ask (queued)",
                        "one batch of " + batch + " asks: its transaction, from the call to the commit");
    }

    @Override
    public void run(int first, int count, Timings timings) {
        for (int from = first; from < first + count; from += batch) {
            List<JoinedAsk> joined = new ArrayList<>(batch);
            for (int i = from; i < Math.min(from + batch, first + count); i++) {
                joined.add(new JoinedAsk(asks.request(i), null, terminal ? asks.result(i) : null));
            }
            long started = System.nanoTime();
            List<JoinedAsk> finished = repository.write(joined);
            timings.add(System.nanoTime() - started);
            if (terminal && finished.size() != joined.size()) {
                throw new IllegalStateException(
                        "a batch of " + joined.size() + " results made " + finished.size() + " asks terminal");
            }
        }
    }
}
