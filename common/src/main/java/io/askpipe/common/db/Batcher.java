package io.askpipe.common.db;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Gathers calls made at the same moment into batches: while {@code lanes} batches run, the calls
 * that arrive wait, and the next free lane takes all of them (up to {@code maxBatch}) at once. No
 * timer is involved, so a lone call runs as soon as a lane is free and pays nothing for being
 * batched; under load the batches grow by themselves, and one database round trip and transaction
 * serves many calls. Written here because the libraries at hand batch on a timer or a count, both
 * of which add latency when the load is light.
 *
 * <p>Each lane is a virtual thread. A batch that throws fails every call in it with that exception.
 * A call may be bounded ({@link #call(Object, Duration)}): the time it waits in the queue and its
 * batch runs together; past the bound the caller gets a {@link TimeoutException}, and a call still
 * queued then is dropped rather than run for nobody (one already in a running batch runs to its
 * end). Thread-safe.
 *
 * @param <T> what a call hands in
 * @param <R> what it gets back
 */
public final class Batcher<T, R> implements AutoCloseable {
    /** Runs one batch: the answers, one per item and in the items' order. */
    @FunctionalInterface
    public interface Flush<T, R> {
        List<R> run(List<T> items) throws Exception;
    }

    private record Call<T, R>(T item, CompletableFuture<R> answer) {}

    private static final Call<?, ?> CLOSE = new Call<>(null, null);

    private final BlockingQueue<Call<T, R>> queue = new LinkedBlockingQueue<>();
    private final Flush<T, R> flush;
    private final int maxBatch;
    private final List<Thread> lanes = new ArrayList<>();
    private volatile boolean closed;

    public Batcher(String name, int lanes, int maxBatch, Flush<T, R> flush) {
        if (lanes < 1 || maxBatch < 1) {
            throw new IllegalArgumentException("a batcher needs a lane and room for a call");
        }
        this.flush = flush;
        this.maxBatch = maxBatch;
        for (int i = 0; i < lanes; i++) {
            this.lanes.add(Thread.ofVirtual().name(name + "-" + i).start(this::drain));
        }
    }

    /** Hands {@code item} to the next batch; the answer completes when that batch has run. */
    public CompletableFuture<R> submit(T item) {
        CompletableFuture<R> answer = new CompletableFuture<>();
        if (closed) {
            answer.completeExceptionally(new RejectedExecutionException("batcher closed"));
        } else {
            queue.add(new Call<>(item, answer));
        }
        return answer;
    }

    /**
     * Hands {@code item} to the next batch and waits for its answer; what the batch threw is thrown
     * again as it was if it is unchecked, else wrapped in an {@link IllegalStateException}.
     */
    public R call(T item) throws InterruptedException {
        try {
            return submit(item).get();
        } catch (ExecutionException e) {
            throw rethrown(e);
        }
    }

    /**
     * As {@link #call(Object)}, waiting at most {@code within} for the queue and the batch together;
     * past it, {@link TimeoutException}, and the item is not run if its batch has not started.
     */
    public R call(T item, Duration within) throws InterruptedException, TimeoutException {
        CompletableFuture<R> answer = submit(item);
        try {
            return answer.get(Math.max(0, within.toNanos()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw rethrown(e);
        } catch (TimeoutException e) {
            answer.completeExceptionally(e); // a lane that has not taken it yet skips it
            throw new TimeoutException("no answer within " + within.toMillis() + " ms");
        }
    }

    private static RuntimeException rethrown(ExecutionException e) {
        if (e.getCause() instanceof RuntimeException unchecked) {
            return unchecked;
        }
        if (e.getCause() instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(e.getCause());
    }

    @SuppressWarnings("unchecked")
    private void drain() {
        List<Call<T, R>> batch = new ArrayList<>(maxBatch);
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            boolean closing = batch.removeIf(call -> call == CLOSE);
            batch.removeIf(call -> call.answer().isDone()); // its caller stopped waiting
            if (!batch.isEmpty()) {
                run(batch);
                batch.clear();
            }
            if (closing) {
                queue.add((Call<T, R>) CLOSE); // for the next lane
                return;
            }
        }
    }

    private void run(List<Call<T, R>> batch) {
        try {
            List<R> answers = flush.run(batch.stream().map(Call::item).toList());
            if (answers.size() != batch.size()) {
                throw new IllegalStateException("a batch of " + batch.size() + " gave " + answers.size() + " answers");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).answer().complete(answers.get(i));
            }
        } catch (Throwable e) { // every caller hears of it, whatever it is
            batch.forEach(call -> call.answer().completeExceptionally(e));
        }
    }

    /** Runs what was handed in already, then stops the lanes; later calls are refused. */
    @Override
    @SuppressWarnings("unchecked")
    public void close() {
        closed = true;
        queue.add((Call<T, R>) CLOSE);
        for (Thread lane : lanes) {
            try {
                lane.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // a call that slipped in beside the close, after the lanes left
        for (Call<T, R> call; (call = queue.poll()) != null; ) {
            if (call != CLOSE) {
                call.answer().completeExceptionally(new RejectedExecutionException("batcher closed"));
            }
        }
    }
}
