package io.askpipe.bench.cost;

import io.askpipe.store.sink.AskPart;
import io.askpipe.store.sink.AskRepository;
import io.askpipe.store.sink.FinishedAsk;
import java.util.ArrayList;
import java.util.List;

/**
 * The result store writer's rows in {@code store.asks} ({@link AskRepository#write}), a batch of
 * {@code batch} asks to a transaction as the writer writes a poll's records: each ask's request,
 * which writes it queued, or, on those rows, each ask's result, which makes it terminal and sends
 * its {@code NOTIFY}.
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
            List<AskPart> parts = new ArrayList<>(batch);
            for (int i = from; i < Math.min(from + batch, first + count); i++) {
                parts.add(terminal ? new AskPart.Result(asks.result(i)) : new AskPart.Request(asks.request(i)));
            }
            long started = System.nanoTime();
            List<FinishedAsk> finished = repository.write(parts);
            timings.add(System.nanoTime() - started);
            if (terminal && finished.size() != parts.size()) {
                throw new IllegalStateException(
                        "a batch of " + parts.size() + " results made " + finished.size() + " asks terminal");
            }
        }
    }
}
