package io.askpipe.router.process;

import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.schemas.AskRequest;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where an injected worker crash ({@link Fault#WORKER_CRASH}) strikes: right after a fresh result
 * is kept and before it is published, the worst moment for a crash. The redelivered ask finds the
 * kept result, so a crash never repeats a backend call. Thread-safe.
 */
final class CrashPoint {
    private final FaultInjector faults;
    /** Whether this worker has crashed already: the first struck ask crashes it, the others only stop. */
    private final AtomicBoolean crashed = new AtomicBoolean();

    CrashPoint(FaultInjector faults) {
        this.faults = faults;
    }

    /**
     * Returns unless the injector strikes {@code request}; then crashes the worker as the injector
     * says a crash goes. In a process of its own the process halts and this never returns;
     * in-process the injector halts the service from another thread, and the ask's thread stops
     * here without completing its offset.
     *
     * @throws InterruptedException when struck
     */
    void strike(AskRequest request) throws InterruptedException {
        if (!faults.strikes(Fault.WORKER_CRASH, request.idempotencyKey())) {
            return;
        }
        if (crashed.compareAndSet(false, true)) {
            faults.crash();
        }
        throw new InterruptedException("worker crashed (injected by chaos mode)");
    }
}
