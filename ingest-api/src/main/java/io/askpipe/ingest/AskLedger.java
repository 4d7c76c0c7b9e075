package io.askpipe.ingest;

import io.askpipe.schemas.AskRequest;
import java.time.Instant;
import java.util.List;

/**
 * The idempotency ledger: which ask each idempotency scope (user, method, path, key) accepted while
 * its TTL runs, and the response a retry gets again. Methods block (database work): call them off
 * the event loop. Implementations are thread-safe and shared by every ingest instance.
 */
interface AskLedger {

    /** What claiming a scope for an ask came to. */
    sealed interface Claim {
        /** The scope was free (or expired): the ask is recorded as being accepted; publish it. */
        record Won() implements Claim {}

        /** The same payload was accepted before: answer with its response again. */
        record Replay(int status, String body, String requestId) implements Claim {}

        /** The same payload is still being accepted by another request: 409, safe to retry. */
        record InProgress() implements Claim {}

        /** The key was used for a different payload: 422. */
        record Mismatch() implements Claim {}
    }

    /**
     * Claims {@code ask}'s scope. The ask is stored with the claim, so that it can be published by
     * {@link #unpublished} if this process dies before it is.
     */
    Claim claim(AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt);

    /** Records that Kafka acknowledged {@code ask} and what the client was answered. */
    void accepted(AskRequest ask, String method, String path, int status, String body);

    /**
     * Asks claimed before {@code claimedBefore} and never marked accepted: their request died
     * between the claim and the publish (or the publish failed). The caller publishes each and marks
     * it accepted; several instances may call this at once without taking the same ask twice.
     */
    List<AskRequest> unpublished(Instant claimedBefore, int limit, Recovery recovery);

    /** Publishes one recovered ask; returns normally once Kafka acknowledged it. */
    @FunctionalInterface
    interface Recovery {
        void publish(AskRequest ask) throws Exception;
    }

    /** Deletes accepted entries whose TTL ran out; returns how many. */
    int purgeExpired(Instant now);
}
