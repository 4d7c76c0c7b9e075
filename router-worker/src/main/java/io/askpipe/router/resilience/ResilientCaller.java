package io.askpipe.router.resilience;

import io.askpipe.router.backend.Backend;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.limit.Permit;
import io.askpipe.router.limit.ProviderLimits;
import io.askpipe.router.limit.Waiter;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Priority;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls one backend for one ask with resilience4j's policies: each attempt under a {@link
 * TimeLimiter} (the call is cancelled, which interrupts it), guarded by the backend's {@link
 * CircuitBreaker} (an open circuit fails fast), and retried with exponential backoff and jitter
 * ({@link IntervalFunction}) while the failure is retriable. A {@code Retry-After} longer than the
 * backoff is honoured, and nothing goes past the ask's deadline. Before every attempt the ask waits
 * for its permit of the {@link ProviderLimits} (the backend's rate, token and concurrency limits,
 * and its pauses), for no longer than its own deadline; the router's budget does not run while it
 * waits ({@link CallDeadline}).
 * An interrupt of the calling thread (the ask was cancelled) ends the call in progress, the wait
 * for a permit or the wait before the next attempt, and no attempt starts on an interrupted thread.
 *
 * <p>The retry loop is written here rather than with resilience4j's {@code Retry} because each
 * attempt's time limit shrinks with what remains of the deadline, and a wait that would end past
 * the deadline must stop the retries instead of being shortened; {@code Retry} has neither.
 * Thread-safe.
 */
public final class ResilientCaller implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ResilientCaller.class);

    /** Pauses between attempts; tests replace it to observe the waits. */
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * What the calls to one backend came to, how many calls were made, and whether the deadline
     * stopped them: no time was left for a call, the last call was cut at the deadline, or the wait
     * before the next attempt would have ended past it.
     */
    public record Attempted(BackendOutcome outcome, int attempts, boolean stoppedByDeadline) {
        /** Calls that ended for another reason than the deadline. */
        public Attempted(BackendOutcome outcome, int attempts) {
            this(outcome, attempts, false);
        }
    }

    private final ResilienceSettings settings;
    private final IntervalFunction backoff;
    private final CircuitBreakerRegistry breakers;
    private final Sleeper sleeper;
    private final ProviderLimits limits;
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public ResilientCaller(ResilienceSettings settings, Sleeper sleeper) {
        this(settings, sleeper, ProviderLimits.none());
    }

    public ResilientCaller(ResilienceSettings settings, Sleeper sleeper, ProviderLimits limits) {
        this.settings = settings;
        this.sleeper = sleeper;
        this.limits = limits;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), 2.0, 0.5);
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.circuitWindow())
                .minimumNumberOfCalls(Math.max(1, settings.circuitWindow() / 2))
                .failureRateThreshold(settings.circuitFailureRate())
                .waitDurationInOpenState(settings.circuitOpen())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
    }

    public ResilientCaller(ResilienceSettings settings) {
        this(settings, ProviderLimits.none());
    }

    public ResilientCaller(ResilienceSettings settings, ProviderLimits limits) {
        this(settings, duration -> Thread.sleep(duration), limits);
    }

    /** The circuit breaker of {@code backend}, for metrics and tests. */
    CircuitBreaker circuitBreaker(String backend) {
        return breakers.circuitBreaker(backend);
    }

    /**
     * Calls {@code backend} until it answers, fails for good, runs out of attempts, or the deadline
     * ({@link System#nanoTime()} based) comes.
     */
    public Attempted call(Backend backend, Duration timeout, BackendCall call, long deadlineNanos)
            throws InterruptedException {
        return call(
                backend,
                timeout,
                call,
                new Waiter(Priority.INTERACTIVE, ""),
                CallDeadline.fixed(deadlineNanos),
                () -> {});
    }

    /**
     * Calls {@code backend} for {@code waiter} until it answers, fails for good, runs out of
     * attempts, or {@code deadline} comes; each attempt first waits for its permit. {@code
     * firstCall} is run once, just before the first call is made (its permit granted): an ask
     * that still waits for its turn is not yet running; it is not run when no call is made.
     */
    public Attempted call(
            Backend backend,
            Duration timeout,
            BackendCall call,
            Waiter waiter,
            CallDeadline deadline,
            Runnable firstCall)
            throws InterruptedException {
        CircuitBreaker breaker = breakers.circuitBreaker(backend.name());
        BackendOutcome.Failed last = null;
        for (int attempt = 1; ; attempt++) {
            if (Thread.interrupted()) {
                // the ask was cancelled (or the worker stops): no further attempt starts
                throw new InterruptedException("interrupted before attempt " + attempt + " of " + backend.name());
            }
            if (deadline.nanos() - System.nanoTime() <= 0) {
                return new Attempted(last != null ? last : deadlinePassed(backend), attempt - 1, true);
            }
            long waiting = System.nanoTime();
            Optional<Permit> permit = limits.acquire(backend.name(), call, waiter, deadline.waitBound());
            if (permit.isEmpty()) {
                // the ask's own deadline came while it waited for its turn: no call
                deadline.waited(Duration.ofNanos(System.nanoTime() - waiting));
                return new Attempted(last != null ? last : deadlinePassed(backend), attempt - 1, true);
            }
            deadline.waited(permit.get().waited());
            BackendOutcome.Failed failed;
            boolean cutAtDeadline;
            try (Permit held = permit.get()) {
                long remaining = deadline.nanos() - System.nanoTime();
                if (remaining <= 0) {
                    held.unused(); // no call: what the permit took goes back
                    return new Attempted(last != null ? last : deadlinePassed(backend), attempt - 1, true);
                }
                if (!breaker.tryAcquirePermission()) {
                    held.unused(); // no call: what the permit took goes back
                    LOG.warn(
                            "backend call refused request_id={} backend={} attempt={} reason=circuit_open",
                            call.requestId(),
                            backend.name(),
                            attempt);
                    return new Attempted(
                            BackendOutcome.Failed.of(
                                    ErrorType.BACKEND_UNAVAILABLE,
                                    backend.name() + " is failing; its circuit breaker is open"),
                            attempt - 1);
                }
                Duration limit = Duration.ofNanos(Math.min(timeout.toNanos(), remaining));
                if (attempt == 1) {
                    firstCall.run();
                }
                long started = System.nanoTime();
                BackendOutcome outcome;
                try {
                    outcome = callOnce(backend, call, limit);
                } catch (InterruptedException e) {
                    breaker.releasePermission();
                    throw e;
                }
                long tookNanos = System.nanoTime() - started;
                held.settle(outcome);
                // a call cut at the deadline, before the backend's own timeout, says nothing of the
                // backend's health: a client's short deadline must not open the circuit for everyone
                cutAtDeadline = outcome instanceof BackendOutcome.Failed cut
                        && cut.errorType() == ErrorType.TIMEOUT
                        && limit.compareTo(timeout) < 0;
                if (cutAtDeadline) {
                    breaker.releasePermission();
                } else {
                    record(breaker, outcome, tookNanos);
                }
                if (!(outcome instanceof BackendOutcome.Failed f)) {
                    LOG.debug(
                            "backend call answered request_id={} backend={} attempt={} elapsed_ms={}",
                            call.requestId(),
                            backend.name(),
                            attempt,
                            TimeUnit.NANOSECONDS.toMillis(tookNanos));
                    return new Attempted(outcome, attempt);
                }
                failed = f;
                LOG.warn(
                        "backend call failed request_id={} backend={} attempt={} elapsed_ms={} error_type={} "
                                + "retriable={} detail=\"{}\"",
                        call.requestId(),
                        backend.name(),
                        attempt,
                        TimeUnit.NANOSECONDS.toMillis(tookNanos),
                        failed.errorType().wireName(),
                        failed.retriable(),
                        failed.message());
            }
            // the permit is back: a wait between attempts holds no slot
            last = failed;
            if (cutAtDeadline) {
                return new Attempted(failed, attempt, true);
            }
            if (!failed.retriable() || attempt >= settings.maxAttempts()) {
                return new Attempted(failed, attempt);
            }
            Duration backoffWait = Duration.ofMillis(backoff.apply(attempt));
            Duration wait = failed.retryAfterHint()
                    .filter(hint -> hint.compareTo(backoffWait) > 0)
                    .orElse(backoffWait);
            if (wait.compareTo(Duration.ofNanos(deadline.nanos() - System.nanoTime())) >= 0) {
                // no attempt could start before the deadline
                return new Attempted(failed, attempt, true);
            }
            sleeper.sleep(wait);
        }
    }

    private BackendOutcome callOnce(Backend backend, BackendCall call, Duration limit) throws InterruptedException {
        TimeLimiter limiter = TimeLimiter.of(TimeLimiterConfig.custom()
                .timeoutDuration(limit)
                .cancelRunningFuture(true)
                .build());
        var running = new AtomicReference<Future<BackendOutcome>>();
        try {
            return limiter.executeFutureSupplier(() -> {
                running.set(calls.submit(() -> backend.call(call)));
                return running.get();
            });
        } catch (TimeoutException e) {
            return BackendOutcome.Failed.of(
                    ErrorType.TIMEOUT, backend.name() + " did not answer within " + limit.toMillis() + " ms");
        } catch (InterruptedException e) {
            // the ask's thread was interrupted (a cancel, or the worker stops): the call ends too,
            // which closes its connection
            Future<BackendOutcome> inProgress = running.get();
            if (inProgress != null) {
                inProgress.cancel(true);
            }
            throw e;
        } catch (Exception e) {
            if (calls.isShutdown()) {
                // the router is stopping (or was halted) under this call: the ask is abandoned,
                // handed to the next worker, rather than failed for a fault of the worker's own
                throw new InterruptedException("the router stopped during a call to " + backend.name());
            }
            // a backend returns its expected failures; an exception is a bug in its client, which
            // calling again would meet again
            LOG.error("backend {} threw on ask {}", backend.name(), call.requestId(), e);
            return BackendOutcome.Failed.of(
                    ErrorType.UPSTREAM_INVALID_RESPONSE,
                    backend.name() + " failed: " + e.getClass().getSimpleName());
        }
    }

    private static void record(CircuitBreaker breaker, BackendOutcome outcome, long tookNanos) {
        if (outcome instanceof BackendOutcome.Failed failed && failed.retriable()) {
            breaker.onError(tookNanos, TimeUnit.NANOSECONDS, new BackendFailure(failed));
        } else {
            // an answer, or a failure that says nothing about the backend's health (a rejected request)
            breaker.onSuccess(tookNanos, TimeUnit.NANOSECONDS);
        }
    }

    private static BackendOutcome.Failed deadlinePassed(Backend backend) {
        return BackendOutcome.Failed.of(
                ErrorType.TIMEOUT, "the ask's deadline passed before " + backend.name() + " could be called");
    }

    /** A failed outcome, as the circuit breaker wants a throwable. No stack trace: it is data. */
    static final class BackendFailure extends RuntimeException {
        BackendFailure(BackendOutcome.Failed failed) {
            super(failed.errorType().wireName() + ": " + failed.message(), null, false, false);
        }
    }

    /**
     * Stops every call in progress; they and any later call end the ask with an {@link
     * InterruptedException}, never with a failed outcome.
     */
    @Override
    public void close() {
        calls.shutdownNow();
    }
}
