package io.askpipe.ingest.results;

import io.askpipe.schemas.AskResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requests waiting for an ask's result, by request id, with a memory of the latest results
 * bounded in bytes, so that a request that starts waiting after its result went by (a fast backend,
 * a retry with the same {@code Idempotency-Key}) still gets it. Results are kept as the bytes read
 * from the topic and read only for a request that waits for them: every result of every ask passes
 * through here, and almost none is awaited. Thread-safe.
 */
public final class ResultWaiters {
    private static final Logger LOG = LoggerFactory.getLogger(ResultWaiters.class);

    private final Map<String, List<CompletableFuture<AskResult>>> waiting = new HashMap<>();
    private final LinkedHashMap<String, byte[]> recent = new LinkedHashMap<>();
    private final long rememberedBytes;
    private final Function<byte[], AskResult> reader;
    private long recentBytes;

    /**
     * Waiters that remember the latest results up to {@code rememberedBytes} in all, reading a
     * result's bytes with {@code reader} when a request waits for it.
     */
    public ResultWaiters(long rememberedBytes, Function<byte[], AskResult> reader) {
        if (rememberedBytes < 0) {
            throw new IllegalArgumentException("rememberedBytes must not be negative: " + rememberedBytes);
        }
        this.rememberedBytes = rememberedBytes;
        this.reader = reader;
    }

    /**
     * The result of the ask {@code requestId}: done at once if it went by lately, else once it
     * comes. A caller that stops waiting calls {@link #forget}.
     */
    public synchronized CompletableFuture<AskResult> await(String requestId) {
        Optional<AskResult> known = terminal(requestId, recent.get(requestId));
        if (known.isPresent()) {
            return CompletableFuture.completedFuture(known.get());
        }
        CompletableFuture<AskResult> result = new CompletableFuture<>();
        waiting.computeIfAbsent(requestId, id -> new ArrayList<>(1)).add(result);
        return result;
    }

    /** Stops {@code result} waiting for {@code requestId}'s result. */
    public synchronized void forget(String requestId, CompletableFuture<AskResult> result) {
        List<CompletableFuture<AskResult>> futures = waiting.get(requestId);
        if (futures != null && futures.remove(result) && futures.isEmpty()) {
            waiting.remove(requestId);
        }
    }

    /**
     * Remembers the result {@code value} of the ask {@code requestId} as read from the topic, and
     * hands it to its waiters if it is terminal; a tombstone ({@code null}) is ignored.
     */
    public void complete(String requestId, byte[] value) {
        if (value == null) {
            return;
        }
        List<CompletableFuture<AskResult>> futures;
        AskResult result;
        synchronized (this) {
            remember(requestId, value);
            if (!waiting.containsKey(requestId)) {
                return;
            }
            Optional<AskResult> terminal = terminal(requestId, value);
            if (terminal.isEmpty()) {
                return;
            }
            result = terminal.get();
            futures = waiting.remove(requestId);
        }
        // outside the lock: a waiter's continuation may run here
        futures.forEach(future -> future.complete(result));
    }

    /** How many requests wait right now. */
    public synchronized int waiting() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }

    private void remember(String requestId, byte[] value) {
        byte[] replaced = recent.remove(requestId);
        if (replaced != null) {
            recentBytes -= replaced.length;
        }
        recent.put(requestId, value);
        recentBytes += value.length;
        Iterator<byte[]> eldest = recent.values().iterator();
        while (recentBytes > rememberedBytes && eldest.hasNext()) {
            recentBytes -= eldest.next().length;
            eldest.remove();
        }
    }

    /** The result {@code value} read, if there is one, it can be read, and it is terminal. */
    private Optional<AskResult> terminal(String requestId, byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            AskResult result = reader.apply(value);
            return result != null && result.status().terminal() ? Optional.of(result) : Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("the result of ask {} cannot be read, its waiters wait on: {}", requestId, e.toString());
            return Optional.empty();
        }
    }
}
