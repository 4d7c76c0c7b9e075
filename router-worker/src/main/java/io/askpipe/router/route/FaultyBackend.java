package io.askpipe.router.route;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.schemas.ErrorType;
import java.util.Optional;

/**
 * One ask's view of a backend when a fault injector is wired in: before each call (each attempt),
 * an injected delay and an injected upstream failure may strike. Each fault keys its strikes by the
 * ask's Idempotency-Key and the backend ({@link FaultInjector#strikesAgain}, places {@code
 * <Idempotency-Key>:<backend>#<n>}): a seeded injector strikes the same calls in every run, a retry
 * after a strike is a new place, and how often a call is struck in a row does not depend on how the
 * retries were timed. Production, with no injector, calls the backend itself.
 */
final class FaultyBackend implements Backend {
    private final Backend backend;
    private final FaultInjector faults;
    private final String key;

    FaultyBackend(Backend backend, FaultInjector faults, String askKey) {
        this.backend = backend;
        this.faults = faults;
        this.key = askKey + ":" + backend.name();
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public BackendOutcome call(BackendCall call) throws InterruptedException {
        if (faults.strikesAgain(Fault.VENDOR_LATENCY, key)) {
            faults.delay(Fault.VENDOR_LATENCY);
        }
        if (faults.strikesAgain(Fault.VENDOR_FAILURE, key)) {
            return BackendOutcome.Failed.of(
                    ErrorType.UPSTREAM_ERROR, backend.name() + " failed (injected by chaos mode)");
        }
        return backend.call(call);
    }

    @Override
    public Optional<String> ping() throws InterruptedException {
        return backend.ping();
    }
}
