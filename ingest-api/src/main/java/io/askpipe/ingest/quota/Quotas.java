package io.askpipe.ingest.quota;

/**
 * The quotas a submit passes once its idempotency key is claimed: a new ask, never a replay. Blocks
 * (database work): call it off the event loop. Implementations are thread-safe.
 */
@FunctionalInterface
public interface Quotas {
    /** Admits every ask and says nothing: no quota applies. */
    Quotas NONE = (userId, requestId) -> Admission.UNLIMITED;

    /**
     * Whether {@code userId} may have one more ask, {@code requestId}, whose claim already exists; an
     * admitted ask is counted against the user's quotas, a refused one is not.
     */
    Admission admit(String userId, String requestId);
}
