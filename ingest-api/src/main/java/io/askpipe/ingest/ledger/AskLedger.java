package io.askpipe.ingest.ledger;

import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.schemas.AskRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The idempotency ledger: which ask each idempotency scope (user, method, path, key) accepted while
 * its TTL runs, and the response a retry gets again. Methods block (database work): call them off
 * the event loop. Implementations are thread-safe and shared by every ingest instance.
 */
public interface AskLedger {

    /** What claiming a scope for an ask came to. */
    sealed interface Claim {
        /** The scope was free (or expired): the ask is recorded as being accepted; publish it. */
        record Won() implements Claim {}

        /** The same payload was accepted before: answer with its response again. */
        record Replay(int status, String body, String requestId) implements Claim {}

        /**
         * The same payload is still being accepted as {@code requestId} by another request (or its
         * answer is not yet recorded): 409, safe to retry.
         */
        record InProgress(String requestId) implements Claim {}

        /** The key was used for a different payload: 422. */
        record Mismatch() implements Claim {}

        /**
         * The same payload was claimed, but its ask can never be published and was set aside for
         * {@code reason}: a final answer, no retry with this key will change it.
         */
        record SetAside(String reason, String requestId) implements Claim {}
    }

    /**
     * Claims {@code ask}'s scope. The ask is stored with the claim, so that it can be published by
     * {@link #unpublished} if this process dies before it is.
     */
    Claim claim(AskRequest ask, String method, String path, String fingerprint, Instant now, Instant expiresAt);

    /**
     * The ask accepted (or being accepted) as {@code requestId}, with its owner: what a cancel of it
     * needs. Found while its key's TTL runs at {@code now}, and after that as long as the ledger
     * keeps the row of an ask without a result ({@code QUOTA_IN_FLIGHT_RETENTION}). Empty for an
     * unknown id, an ask set aside, or one whose key expired after its result came.
     */
    java.util.Optional<AskRequest> ask(String requestId, Instant now);

    /** Records that Kafka acknowledged {@code ask} and what the client was answered; returns once it is written. */
    void accepted(AskRequest ask, String method, String path, int status, String body);

    /**
     * {@link #accepted} without waiting: the mark goes with the next batch of marks, and the future
     * completes once it is written (or fails). Until then a retry with the key is {@link
     * Claim.InProgress}; a mark that is never written leaves the ask to {@link #unpublished}, which
     * publishes it again (harmless: the same request id) and marks it.
     */
    CompletableFuture<Void> acceptedLater(AskRequest ask, String method, String path, int status, String body);

    /**
     * Gives {@code ask}'s scope up again, if it still holds that ask being accepted: the ask was
     * refused after its claim (a quota), nothing was published, and a retry with the key starts over.
     */
    void release(AskRequest ask, String method, String path);

    /**
     * Records that {@code ask} can never be published ({@code reason}, e.g. {@code too_large}): it is
     * set aside, never recovered, and a retry with its key gets {@link Claim.SetAside}.
     */
    void setAside(AskRequest ask, String method, String path, String reason);

    /**
     * Publishes asks claimed before {@code claimedBefore} and never marked accepted: their request
     * died between the claim and the publish (or the publish failed). Up to {@code limit} of them
     * are leased for {@code lease} in a short statement, published through {@code recovery} outside
     * any transaction (so a slow broker holds no lock a claim would wait on), and marked accepted.
     * One that fails for good ({@link AskPublisher#permanentFailure}, or an ask that no longer
     * parses) is set aside; one that fails otherwise stays for a later round, once its lease ran out.
     * Several instances may call this at once without taking the same ask twice while a lease runs.
     */
    Recovered unpublished(Instant claimedBefore, int limit, Duration lease, Recovery recovery);

    /** Publishes one recovered ask; returns normally once Kafka acknowledged it. */
    @FunctionalInterface
    interface Recovery {
        void publish(AskRequest ask) throws Exception;
    }

    /** What one round of {@link #unpublished} did. */
    record Recovered(List<AskRequest> published, List<Failure> setAside, List<Failure> retryLater) {}

    /** An ask a round could not publish, and why. */
    record Failure(String requestId, String reason) {}

    /** Deletes accepted and set-aside entries whose TTL ran out; returns how many. */
    int purgeExpired(Instant now);
}
