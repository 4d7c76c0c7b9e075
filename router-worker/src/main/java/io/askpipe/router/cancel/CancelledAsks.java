package io.askpipe.router.cancel;

import io.askpipe.schemas.AskCancel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancels this worker has read from {@code ask.cancels}, by request id, for as long as their
 * asks may still run ({@code ROUTER_RETENTION}, the age past which an ask is not run). The first
 * cancel read for an ask is the one kept. Thread-safe.
 */
public final class CancelledAsks {
    private final ConcurrentHashMap<String, AskCancel> byId = new ConcurrentHashMap<>();
    private final Duration retention;
    private final Clock clock;

    /** Cancels kept for {@code retention} after their ask was accepted, as told by {@code clock}. */
    public CancelledAsks(Duration retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
    }

    /**
     * Keeps {@code cancel} unless its ask is past the retention or was cancelled already; returns
     * whether it is kept: whether this is the first cancel of the ask, the one that ends it.
     */
    boolean add(AskCancel cancel) {
        if (pastRetention(cancel, clock.instant())) {
            return false;
        }
        return byId.putIfAbsent(cancel.reqId(), cancel) == null;
    }

    /** The cancel of the ask {@code requestId}, if its owner cancelled it. */
    public Optional<AskCancel> find(String requestId) {
        return Optional.ofNullable(byId.get(requestId));
    }

    /** Forgets the cancels of asks past the retention; returns how many. */
    int forgetPastRetention() {
        Instant now = clock.instant();
        int before = byId.size();
        byId.values().removeIf(cancel -> pastRetention(cancel, now));
        return before - byId.size();
    }

    /** How many cancels are kept. */
    public int size() {
        return byId.size();
    }

    private boolean pastRetention(AskCancel cancel, Instant now) {
        return cancel.acceptedAt().plus(retention).isBefore(now);
    }
}
