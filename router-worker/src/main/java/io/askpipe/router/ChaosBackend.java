package io.askpipe.router;

import io.askpipe.common.Chaos;
import io.askpipe.router.spi.Backend;
import io.askpipe.router.spi.BackendCall;
import io.askpipe.router.spi.BackendOutcome;
import io.askpipe.schemas.AskError;
import java.util.Optional;

/**
 * A backend under chaos mode: before each call, a seeded injected delay and a seeded injected
 * upstream failure may strike. Each fault keys its strikes by the ask's Idempotency-Key and the backend ({@link
 * Chaos#strikesAgain}, places {@code <Idempotency-Key>:<backend>#<n>}): the same seed strikes the same
 * calls in every run, a retry after a strike is a new place, and how often a call is struck in a row
 * does not depend on how the worker's retries were timed.
 */
final class ChaosBackend implements Backend, AutoCloseable {
    private final Backend backend;
    private final Chaos chaos;

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
        String key = call.askKey() + ":" + backend.name();
        if (chaos.strikesAgain(Chaos.Fault.VENDOR_LATENCY, key)) {
            chaos.delayVendor();
        }
        if (chaos.strikesAgain(Chaos.Fault.VENDOR_FAILURE, key)) {
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
