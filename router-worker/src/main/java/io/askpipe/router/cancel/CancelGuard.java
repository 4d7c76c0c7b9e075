package io.askpipe.router.cancel;

import io.askpipe.router.route.Routing;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the backend work of one ask so that its owner's cancel ends it {@code cancelled}: an ask
 * cancelled before its work starts gets no backend call, and one cancelled during it has its thread
 * interrupted ({@link RunningAsks}), which ends the call, a backoff or a wait for a permit within
 * moments. The result returned is only a candidate: the caller keeps the first result of the ask
 * ({@code RouterResults.keepFirst}) and publishes the kept one. Counts {@code ask_cancelled_total}
 * by backend and by where the cancel found the ask ({@code queued}, {@code running}). Thread-safe.
 */
public final class CancelGuard {
    private static final Logger LOG = LoggerFactory.getLogger(CancelGuard.class);

    /** The backend work of an ask, which tells {@code started} each backend it is about to call. */
    @FunctionalInterface
    public interface Work {
        AskResult run(Consumer<String> started) throws InterruptedException;
    }

    private final CancelledAsks cancelled;
    private final RunningAsks running;
    private final Routing routing;
    private final Clock clock;
    private final MeterRegistry registry;

    public CancelGuard(
            CancelledAsks cancelled, RunningAsks running, Routing routing, Clock clock, MeterRegistry registry) {
        this.cancelled = cancelled;
        this.running = running;
        this.routing = routing;
        this.clock = clock;
        this.registry = registry;
    }

    /**
     * Runs {@code work} for {@code request} unless the ask is cancelled already; returns its result,
     * or the ask's cancelled result if a cancel came first or cut the work short.
     *
     * @throws InterruptedException if the work was interrupted for another reason than a cancel (the
     *     worker stops): the ask is handed back
     */
    public AskResult run(AskRequest request, Work work) throws InterruptedException {
        long startedNanos = System.nanoTime();
        AtomicReference<String> calling = new AtomicReference<>();
        try (RunningAsks.Running run = running.start(request.requestId())) {
            // registered first, looked up second: a cancel read in between interrupts the run instead
            Optional<AskCancel> before = cancelled.find(request.requestId());
            if (before.isPresent()) {
                return cancelled(request, before, Optional.empty(), startedNanos);
            }
            AskResult result = null;
            try {
                result = work.run(backend -> calling.compareAndSet(null, backend));
            } catch (InterruptedException e) {
                if (!run.cancelled()) {
                    throw e;
                }
            }
            if (run.cancelled() && (result == null || result.status() != AskStatus.SUCCEEDED)) {
                // an answer that came as the cancel did stays a candidate; anything else is the cancel's
                return cancelled(
                        request, cancelled.find(request.requestId()), Optional.ofNullable(calling.get()), startedNanos);
            }
            return result;
        }
    }

    private AskResult cancelled(
            AskRequest request, Optional<AskCancel> cancel, Optional<String> calling, long startedNanos) {
        String backend = calling.orElseGet(() -> routing.primary(request.backend(), request.model()));
        String message = calling.map(called ->
                        "the ask was cancelled by its owner during a call to " + called + ", which was interrupted")
                .orElse("the ask was cancelled by its owner before it ran; no backend was called");
        long latencyMs = calling.isPresent() ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos) : 0;
        LOG.info("ask cancelled request_id={} backend={} detail=\"{}\"", request.requestId(), backend, message);
        Counter.builder("ask_cancelled")
                .description("Asks this worker ended cancelled, by backend and where the cancel found them")
                .tag("backend", backend)
                .tag("stage", calling.isPresent() ? "running" : "queued")
                .register(registry)
                .increment();
        return AskResult.cancelled(
                request.requestId(),
                backend,
                request.model(),
                message,
                latencyMs,
                calling.isPresent() ? 1 : 0,
                cancel.map(AskCancel::cancelledAt).orElseGet(clock::instant));
    }
}
