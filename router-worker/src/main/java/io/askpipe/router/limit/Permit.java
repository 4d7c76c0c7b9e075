package io.askpipe.router.limit;

import io.askpipe.router.backend.BackendOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Leave to make one backend call, held from the moment the limits granted it until the call
 * ended: {@link #settle} with the call's outcome (the tokens it really cost, a provider's
 * pushback), then {@link #close} to give back its concurrency slots. Used by the ask's thread only.
 */
public final class Permit implements AutoCloseable {
    /** Empty for the permit of a worker without limits. */
    private final Optional<BackendGate> gate;

    private final List<ConcurrencySlots.Slot> slots;
    private final List<SharedBuckets.Bucket> requestBuckets;
    private final List<SharedBuckets.Bucket> tokenBuckets;
    private final TokenEstimate estimate;
    private final Duration waited;
    private boolean closed;

    Permit(
            Optional<BackendGate> gate,
            List<ConcurrencySlots.Slot> slots,
            List<SharedBuckets.Bucket> requestBuckets,
            List<SharedBuckets.Bucket> tokenBuckets,
            TokenEstimate estimate,
            Duration waited) {
        this.gate = gate;
        this.slots = List.copyOf(slots);
        this.requestBuckets = List.copyOf(requestBuckets);
        this.tokenBuckets = List.copyOf(tokenBuckets);
        this.estimate = estimate;
        this.waited = waited;
    }

    /** The permit of a worker without limits: granted at once, nothing to settle. */
    static Permit free() {
        return new Permit(Optional.empty(), List.of(), List.of(), List.of(), new TokenEstimate(0, 0), Duration.ZERO);
    }

    /** How long the ask waited for this permit. */
    public Duration waited() {
        return waited;
    }

    /**
     * Tells the limits how the call ended: its tokens are settled against the estimate taken before
     * it, and a provider's 429 pauses the backend for every worker.
     */
    public void settle(BackendOutcome outcome) {
        gate.ifPresent(g -> g.settle(tokenBuckets, estimate.settle(outcome), outcome));
    }

    /**
     * Gives everything back unused: the call was not made after all (the backend's circuit is open).
     * The permit is closed.
     */
    public void unused() {
        if (!closed) {
            closed = true;
            gate.ifPresent(g -> {
                g.giveBack(List.of(), requestBuckets, tokenBuckets, estimate);
                g.release(slots);
            });
        }
    }

    /** Gives the concurrency slots back; the call is over (or never started). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            gate.ifPresent(g -> g.release(slots));
        }
    }
}
