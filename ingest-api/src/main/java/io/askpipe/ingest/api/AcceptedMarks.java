package io.askpipe.ingest.api;

import io.askpipe.ingest.ledger.AskLedger;
import io.askpipe.schemas.AskRequest;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger marks of this instance's accepted asks that are not written yet. A 202 is durable once
 * Kafka acknowledged the ask, so the mark that records the answer for retries is written after the
 * answer, with the next batch of marks, instead of before it. A retry that reaches this instance
 * while its ask's mark is still pending waits for the mark and is then replayed, rather than told
 * 409; a mark that fails leaves the ask to the ledger's recovery
 * ({@code docs/adr/0032-the-accepted-mark-after-the-answer.md}).
 * Thread-safe.
 */
final class AcceptedMarks {
    private static final Logger LOG = LoggerFactory.getLogger(AcceptedMarks.class);
    /**
     * Beyond this many marks not yet written, a submit waits for its own mark as it did before: the
     * database keeps its say over how fast asks are accepted, and marks never fall so far behind
     * that the ledger's recovery takes their asks for unpublished ones.
     */
    static final int MAX_PENDING = 1_024;

    private final AskLedger ledger;
    private final Timer marked;
    private final Map<String, CompletableFuture<Void>> pending = new ConcurrentHashMap<>();

    AcceptedMarks(AskLedger ledger, Timer marked) {
        this.ledger = ledger;
        this.marked = marked;
    }

    /**
     * Hands the mark of {@code request}'s answer to the ledger; waits for it, until {@code deadline}
     * ({@link System#nanoTime}), only while more than {@link #MAX_PENDING} marks are not written.
     */
    void mark(AskRequest request, String method, String path, int status, String body, long deadline)
            throws InterruptedException {
        long marking = System.nanoTime();
        CompletableFuture<Void> mark = ledger.acceptedLater(request, method, path, status, body);
        pending.put(request.requestId(), mark);
        mark.whenComplete((written, error) -> {
            pending.remove(request.requestId());
            if (error == null) {
                marked.record(System.nanoTime() - marking, TimeUnit.NANOSECONDS);
            } else {
                // the ask is on Kafka: the ledger's recovery publishes it again and marks it
                LOG.warn(
                        "ask {} accepted but not yet marked so in the ledger: {}",
                        request.requestId(),
                        error.toString());
            }
        });
        if (pending.size() > MAX_PENDING) {
            try {
                mark.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // the ask is on Kafka and its answer is a 202 all the same: the mark is logged above
            }
        }
    }

    /**
     * Waits, until {@code deadline} ({@link System#nanoTime}), for the pending mark of {@code
     * requestId} if this instance has one; returns whether a mark was written meanwhile.
     */
    boolean awaitWritten(String requestId, long deadline) throws InterruptedException {
        CompletableFuture<Void> mark = pending.get(requestId);
        if (mark == null) {
            return false;
        }
        try {
            mark.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** How many marks are not written yet. */
    int pending() {
        return pending.size();
    }
}
