package io.askpipe.router;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.askpipe.common.Chaos;
import io.askpipe.router.spi.Backend;
import io.askpipe.router.spi.BackendCall;
import io.askpipe.router.spi.BackendOutcome;
import io.askpipe.schemas.AskError;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend under chaos mode: before each call, a seeded injected delay and a seeded injected
 * upstream failure may strike. The place of a call is the ask's id, the backend and the attempt
 * number, so the same seed strikes the same calls in every run, and a retry is a new place.
 */
final class ChaosBackend implements Backend, AutoCloseable {
    private final Backend backend;
    private final Chaos chaos;
    /** Calls so far by ask, for the attempt number; an ask is forgotten an hour after its last call. */
    private final Cache<String, AtomicInteger> attempts =
            Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).build();

    ChaosBackend(Backend backend, Chaos chaos) {
        this.backend = backend;
        this.chaos = chaos;
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        int attempt = attempts.get(call.requestId(), id -> new AtomicInteger()).incrementAndGet();
        String place = call.requestId() + ":" + backend.name() + ":" + attempt;
        if (chaos.strikes(Chaos.Fault.VENDOR_LATENCY, place)) {
            chaos.delayVendor();
        }
        if (chaos.strikes(Chaos.Fault.VENDOR_FAILURE, place)) {
            return BackendOutcome.Failed.transientFailure(
                    AskError.UPSTREAM_ERROR, backend.name() + " failed (injected by chaos mode)", 502, null);
        }
        return backend.call(call);
    }

    @Override
    public Optional<String> ping() throws InterruptedException {
        return backend.ping();
    }

    @Override
    public void close() {
        if (backend instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not close backend " + backend.name(), e);
            }
        }
    }
}
