package io.askpipe.bench.cost;

import io.askpipe.ingest.publish.AskPublisher;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ingest's publish of each ask to {@code ask.requests} ({@link AskPublisher}, on a producer with
 * the ingest producer's settings: {@code acks=all}, idempotent, lz4, 1 ms linger), {@code inFlight}
 * of them unacknowledged at once, each waited for as a submit waits before its 202.
 */
final class AskProduce implements Step {
    private final AskPublisher publisher;
    private final Asks asks;
    private final int inFlight;

    AskProduce(AskPublisher publisher, Asks asks, int inFlight) {
        this.publisher = publisher;
        this.asks = asks;
        this.inFlight = inFlight;
    }

    @Override
    public Description description() {
        return new Description(
                "3. ingest: Kafka produce of the ask (acks=all, idempotent)",
                "a 202 is durable: the ask is on the replicated log before the client hears of it",
                "one record, from the send to its acknowledgement (" + inFlight + " in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws Exception {
        Semaphore slots = new Semaphore(inFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = first; i < first + count && failure.get() == null; i++) {
            slots.acquire();
            long sent = System.nanoTime();
            publisher.publish(asks.request(i)).whenComplete((metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else {
                    timings.add(System.nanoTime() - sent);
                }
                slots.release();
            });
        }
        slots.acquire(inFlight); // every acknowledgement is in
        slots.release(inFlight);
        if (failure.get() != null) {
            throw new IllegalStateException("a publish failed", failure.get());
        }
    }
}
