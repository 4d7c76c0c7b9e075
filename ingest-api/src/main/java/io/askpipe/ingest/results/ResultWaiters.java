package io.askpipe.ingest.results;

import io.askpipe.schemas.AskResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The requests waiting for an ask's result, by request id, with a bounded memory of the latest
 * results, so that a request that starts waiting after its result went by (a fast backend, a retry
 * with the same {@code Idempotency-Key}) still gets it. Thread-safe.
 */
public final class ResultWaiters {
    private final Map<String, List<CompletableFuture<AskResult>>> waiting = new HashMap<>();
    private final Map<String, AskResult> recent;

    /** Waiters that remember the latest {@code remembered} results. */
    public ResultWaiters(int remembered) {
        if (remembered < 0) {
            throw new IllegalArgumentException("remembered must not be negative: " + remembered);
        }
        this.recent = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AskResult> eldest) {
                return size() > remembered;
            }
        };
    }

    /**
     * The result of the ask {@code requestId}: done at once if it went by lately, else once it
     * comes. A caller that stops waiting calls {@link #forget}.
     */
    public synchronized CompletableFuture<AskResult> await(String requestId) {
        AskResult known = recent.get(requestId);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
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

    /** Hands a terminal {@code result} to its waiters, and remembers it; anything else is ignored. */
    public void complete(AskResult result) {
        if (result == null || !result.status().terminal()) {
            return;
        }
        List<CompletableFuture<AskResult>> futures;
        synchronized (this) {
            recent.put(result.reqId(), result);
            futures = waiting.remove(result.reqId());
        }
        if (futures != null) {
            // outside the lock: a waiter's continuation may run here
            futures.forEach(future -> future.complete(result));
        }
    }

    /** How many requests wait right now. */
    public synchronized int waiting() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }
}
