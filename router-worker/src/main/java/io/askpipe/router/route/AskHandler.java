package io.askpipe.router.route;

import io.askpipe.common.catalog.BackendCatalog;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.limit.Waiter;
import io.askpipe.router.resilience.ResilientCaller;
import io.askpipe.router.route.BackendRegistry.Entry;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one ask into its standardized result: routes it, calls the backend through the resilience
 * policies and, when the failure is retriable ({@link ErrorType#retriable()}: the backend is not
 * configured, unreachable, failing, timed out), moves on along the route's fallback chain. A
 * permanent failure, such as a backend that rejects the request itself, ends the chain: another
 * backend would not make a bad request good. An ask outside the backend catalog (a
 * record older than the catalog: an unregistered backend, a model not permitted) fails at once,
 * without a backend call. Every result and metric names a registered backend, never a name the
 * client sent. Never throws for an expected failure. Thread-safe.
 *
 * <p>An ask with a deadline of its own ({@link AskDeadline}) ends {@code expired} when it is
 * already past as the router takes it (no backend call), when a call is cut at it (each call's
 * time limit is the smaller of the backend's and the time left), or when a retry, its backoff or
 * the next fallback would start past it (no further attempt), or while it waits for a permit of
 * the provider limits (no call). A wait for a permit does not use up the router's own budget
 * ({@code ROUTER_ASK_DEADLINE_MS} is for backend work), and the result says how long it was
 * ({@code waited_ms}), apart from {@code latency_ms}, the time of the backend work itself.
 *
 * <p>A cancel interrupts the thread that handles the ask: the call in progress, a backoff or a
 * wait ends with an {@link InterruptedException}, and no attempt or fallback starts on an
 * interrupted thread. Whether the interrupt was a cancel is the caller's to know.
 */
public final class AskHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AskHandler.class);

    private final Routing routing;
    private final BackendRegistry registry;
    private final ResilientCaller caller;
    private final Duration askDeadline;
    private final Clock clock;
    private final RouterMetrics metrics;
    private final FaultInjector faults;

    public AskHandler(
            Routing routing,
            BackendRegistry registry,
            ResilientCaller caller,
            Duration askDeadline,
            Clock clock,
            RouterMetrics metrics,
            FaultInjector faults) {
        this.routing = routing;
        this.registry = registry;
        this.caller = caller;
        this.askDeadline = askDeadline;
        this.clock = clock;
        this.metrics = metrics;
        this.faults = faults;
    }

    AskResult handle(AskRequest request) throws InterruptedException {
        return handle(request, backend -> {});
    }

    /**
     * Handles {@code request}, telling {@code onStart} the backend of its first call just before it
     * is made: once a permit of the provider limits is granted, not while the ask waits for its
     * turn. Told at most once, and not at all when no backend is called.
     */
    public AskResult handle(AskRequest request, Consumer<String> onStart) throws InterruptedException {
        long started = System.nanoTime();
        AskDeadline deadline = AskDeadline.of(request, askDeadline, clock, started);
        Routing.Route route = routing.resolve(request);
        Optional<BackendCatalog.Refusal> refusal = routing.refusal(request);
        if (refusal.isPresent()) {
            return refused(request, route.primary(), refusal.get(), started);
        }
        if (deadline.expires() && deadline.reached()) {
            return expired(request, route.primary(), Optional.empty(), 0, deadline, started);
        }
        AtomicBoolean startTold = new AtomicBoolean();
        boolean stoppedByDeadline = false;
        BackendOutcome.Failed failure = null;
        String tried = route.primary();
        int attempts = 0;
        for (String name : route.backends()) {
            if (Thread.interrupted()) {
                // the ask was cancelled (or the worker stops): no fallback starts
                throw new InterruptedException("interrupted before trying " + name);
            }
            tried = name;
            Entry entry = registry.lookup(name);
            if (entry instanceof Entry.Unavailable unavailable) {
                failure = BackendOutcome.Failed.of(ErrorType.BACKEND_UNAVAILABLE, unavailable.reason());
                LOG.warn(
                        "backend unavailable request_id={} backend={} detail=\"{}\"",
                        request.requestId(),
                        name,
                        unavailable.reason());
                continue;
            }
            Entry.Available available = (Entry.Available) entry;
            BackendCall call = new BackendCall(request.requestId(), request.chat(), route.modelFor(name));
            Backend backend = faults == FaultInjector.NONE
                    ? available.backend()
                    : new FaultyBackend(available.backend(), faults, request.idempotencyKey());
            ResilientCaller.Attempted attempted =
                    caller.call(backend, available.timeout(), call, Waiter.of(request), deadline, () -> {
                        if (startTold.compareAndSet(false, true)) {
                            onStart.accept(name);
                        }
                    });
            attempts += attempted.attempts();
            // once the ask's own deadline stopped a backend, a fallback that cannot answer in time
            // does not turn the expiry into its own failure
            stoppedByDeadline |= attempted.stoppedByDeadline();
            switch (attempted.outcome()) {
                case BackendOutcome.Completed completed -> {
                    long latencyMs = workMs(started, deadline);
                    metrics.latency(name, latencyMs);
                    return AskResult.succeeded(
                                    request.requestId(),
                                    name,
                                    completed.model(),
                                    completed.answer(),
                                    completed.usage(),
                                    latencyMs,
                                    attempts,
                                    clock.instant())
                            .withReply(completed.message(), completed.finishReason(), completed.systemFingerprint())
                            .withWaitedMs(deadline.waited().toMillis());
                }
                case BackendOutcome.Failed failed -> {
                    failure = failed;
                    if (failed.errorType() == ErrorType.TIMEOUT) {
                        LOG.warn(
                                "backend call timed out request_id={} backend={} elapsed_ms={}",
                                request.requestId(),
                                name,
                                elapsedMs(started));
                    }
                }
            }
            if (!failure.retriable()) {
                break;
            }
            if (deadline.reached()) {
                stoppedByDeadline = true;
                break;
            }
        }
        if (stoppedByDeadline && deadline.expires() && failure.retriable()) {
            return expired(request, tried, Optional.of(failure), attempts, deadline, started);
        }
        long latencyMs = workMs(started, deadline);
        metrics.latency(tried, latencyMs);
        metrics.error(tried, failure.errorType());
        return AskResult.failed(
                        request.requestId(),
                        tried,
                        request.model(),
                        failure.toError(),
                        latencyMs,
                        attempts,
                        clock.instant())
                .withWaitedMs(deadline.waited().toMillis());
    }

    /**
     * The expired result of {@code request}, whose own deadline stopped its work under {@code
     * backend} after {@code attempts} calls, the last of which ended in {@code last} (none: no call
     * was made).
     */
    private AskResult expired(
            AskRequest request,
            String backend,
            Optional<BackendOutcome.Failed> last,
            int attempts,
            AskDeadline deadline,
            long started) {
        String message = "the ask's deadline " + deadline.own().orElseThrow() + " passed before it had an answer"
                + last.map(failed -> " (last: " + failed.errorType().wireName() + " from " + backend + ": "
                                + failed.message() + ")")
                        .orElse(attempts == 0 ? "; no backend was called" : "");
        LOG.warn(
                "ask expired request_id={} backend={} attempts={} detail=\"{}\"",
                request.requestId(),
                backend,
                attempts,
                message);
        long latencyMs = workMs(started, deadline);
        if (attempts > 0) {
            // an ask that expired in the queue says nothing of the backend's latency
            metrics.latency(backend, latencyMs);
        }
        metrics.expired(backend);
        return AskResult.expired(
                        request.requestId(), backend, request.model(), message, latencyMs, attempts, clock.instant())
                .withWaitedMs(deadline.waited().toMillis());
    }

    /**
     * The failed result of an ask the catalog refuses, under {@code backend}: the registered backend
     * its route starts with once an unregistered explicit backend is passed over, so the result and
     * the metrics never carry the client's name.
     */
    private AskResult refused(AskRequest request, String backend, BackendCatalog.Refusal refusal, long started) {
        ErrorType errorType = switch (refusal.kind()) {
            case UNKNOWN_BACKEND -> ErrorType.UNKNOWN_BACKEND;
            case MODEL_NOT_PERMITTED -> ErrorType.MODEL_NOT_PERMITTED;
        };
        String message = refusal.pointer().substring(1) + " " + refusal.detail();
        LOG.warn(
                "ask refused by the backend catalog request_id={} error_type={} detail=\"{}\"",
                request.requestId(),
                errorType.wireName(),
                message);
        long latencyMs = elapsedMs(started);
        metrics.latency(backend, latencyMs);
        metrics.error(backend, errorType);
        return AskResult.failed(
                request.requestId(),
                backend,
                request.model(),
                new AskError(errorType, message),
                latencyMs,
                0,
                clock.instant());
    }

    /** The time spent on the ask's backend work: since {@code startedNanos}, less its waits for permits. */
    private static long workMs(long startedNanos, AskDeadline deadline) {
        return Math.max(0, elapsedMs(startedNanos) - deadline.waited().toMillis());
    }

    private static long elapsedMs(long startedNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }
}
