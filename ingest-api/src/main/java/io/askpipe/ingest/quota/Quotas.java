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

    /**
     * Whether {@code userId}'s monthly token budget has room left, counting nothing: what a new
     * batch passes, whose lines count against neither the rate nor the asks in flight, and whose
     * tokens are added to the month as its lines' results come.
     */
    default Admission budget(String userId) {
        return Admission.UNLIMITED;
    }
}
