package io.askpipe.router;

import io.askpipe.router.spi.Backend;
import io.askpipe.router.spi.BackendCall;
import io.askpipe.router.spi.BackendOutcome;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one ask into its standardized result: resolves the backend, calls it under the time limit
 * and maps the outcome. Never throws for an expected failure: an unknown backend, a timeout or an
 * upstream error each become a failed result with a typed error. Thread-safe.
 */
final class AskHandler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AskHandler.class);

    private final BackendRegistry registry;
    private final Duration timeout;
    private final Clock clock;
    private final RouterMetrics metrics;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    AskHandler(BackendRegistry registry, Duration timeout, Clock clock, RouterMetrics metrics) {
        this.registry = registry;
        this.timeout = timeout;
        this.clock = clock;
        this.metrics = metrics;
    }

    AskResult handle(AskRequest request) throws InterruptedException {
        String name = registry.resolve(request);
        Optional<Backend> backend = registry.backend(name);
        if (backend.isEmpty()) {
            metrics.error(RouterMetrics.UNKNOWN_BACKEND, AskError.BACKEND_UNAVAILABLE);
            return AskResult.failed(
                    request.requestId(),
                    name,
                    request.model(),
                    new AskError(AskError.BACKEND_UNAVAILABLE, "no backend named '" + name + "' is available", 503),
                    0,
                    0,
                    clock.instant());
        }
        long started = System.nanoTime();
        BackendOutcome outcome =
                callWithinLimit(backend.get(), new BackendCall(request.requestId(), request.prompt(), request.model()));
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        metrics.latency(name, latencyMs);
        return switch (outcome) {
            case BackendOutcome.Completed c ->
                AskResult.succeeded(
                        request.requestId(), name, c.model(), c.answer(), c.usage(), latencyMs, 1, clock.instant());
            case BackendOutcome.Failed f -> {
                metrics.error(name, f.errorType());
                if (AskError.TIMEOUT.equals(f.errorType())) {
                    LOG.warn("ask {} timed out on backend {} after {} ms", request.requestId(), name, latencyMs);
                }
                yield AskResult.failed(
                        request.requestId(),
                        name,
                        request.model(),
                        new AskError(f.errorType(), f.message(), f.httpStatus()),
                        latencyMs,
                        1,
                        clock.instant());
            }
        };
    }

    private BackendOutcome callWithinLimit(Backend backend, BackendCall call) throws InterruptedException {
        Future<BackendOutcome> pending = calls.submit(() -> backend.call(call));
        try {
            return pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            return BackendOutcome.Failed.transientFailure(
                    AskError.TIMEOUT,
                    backend.name() + " did not answer within " + timeout.toMillis() + " ms",
                    503,
                    null);
        } catch (ExecutionException e) {
            LOG.error("backend {} failed unexpectedly on ask {}", backend.name(), call.requestId(), e.getCause());
            return BackendOutcome.Failed.permanent(
                    AskError.UPSTREAM_ERROR,
                    backend.name() + " failed: " + e.getCause().getClass().getSimpleName(),
                    502);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
