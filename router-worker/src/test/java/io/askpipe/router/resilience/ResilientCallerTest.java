package io.askpipe.router.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.router.limit.LimitSettings;
import io.askpipe.router.limit.Limits;
import io.askpipe.router.limit.ProviderLimits;
import io.askpipe.router.limit.Waiter;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Usage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class ResilientCallerTest {
    private final List<Duration> waits = new ArrayList<>();
    private final ResilientCaller caller = new ResilientCaller(
            new ResilienceSettings(Duration.ofSeconds(30), 4, Duration.ofMillis(100), 50, 20, Duration.ofMinutes(1)),
            waits::add);
    private final BackendCall call = BackendCall.ofPrompt("r1", "hi", null);

    @AfterEach
    void close() {
        caller.close();
    }

    private static long deadlineIn(Duration duration) {
        return System.nanoTime() + duration.toNanos();
    }

    private static ScriptedBackend failingThenAnswering(int failures, BackendOutcome.Failed failure) {
        AtomicInteger calls = new AtomicInteger();
        return new ScriptedBackend(
                "b",
                c -> calls.incrementAndGet() <= failures
                        ? failure
                        : new BackendOutcome.Completed("m", "ok", Usage.NONE));
    }

    /** An ask's own deadline {@code duration} from now, which also bounds its wait for a permit. */
    private static CallDeadline ownDeadlineIn(Duration duration) {
        long nanos = deadlineIn(duration);
        return new CallDeadline() {
            @Override
            public long nanos() {
                return nanos;
            }

            @Override
            public Optional<Long> waitBound() {
                return Optional.of(nanos);
            }

            @Override
            public void waited(Duration waited) {}
        };
    }

    /** Limits of one call at once to backend {@code b} on a database that does not answer: no permit is granted. */
    private static ProviderLimits limitsNeverGranting() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL("jdbc:postgresql://127.0.0.1:" + closedPort + "/none");
        return ProviderLimits.start(
                new LimitSettings(Map.of("b", new Limits(0, 0, 1)), Map.of(), Duration.ofSeconds(1)),
                dataSource,
                new DatabaseSettings(dataSource.getURL(), "none", "none", 1),
                new SimpleMeterRegistry(),
                Clock.systemUTC());
    }

    @Test
    void anAskWaitingForItsPermitIsNotToldItStarted() throws Exception {
        var backend = failingThenAnswering(0, BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "502"));
        AtomicInteger started = new AtomicInteger();
        try (ProviderLimits limits = limitsNeverGranting();
                ResilientCaller waiting = new ResilientCaller(
                        new ResilienceSettings(
                                Duration.ofSeconds(30), 4, Duration.ofMillis(100), 50, 20, Duration.ofMinutes(1)),
                        waits::add,
                        limits)) {
            var attempted = waiting.call(
                    backend,
                    Duration.ofSeconds(1),
                    call,
                    new Waiter(Priority.INTERACTIVE, "alice"),
                    ownDeadlineIn(Duration.ofMillis(700)),
                    started::incrementAndGet);

            assertThat(attempted.attempts()).isZero();
            assertThat(attempted.stoppedByDeadline()).isTrue();
        }
        assertThat(backend.calls).hasValue(0);
        assertThat(started).as("no permit was granted: the ask never ran").hasValue(0);
    }

    @Test
    void theStartIsToldOnceJustBeforeTheFirstCall() throws Exception {
        var backend = failingThenAnswering(2, BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "502"));
        List<Integer> callsWhenStarted = new ArrayList<>();

        var attempted = caller.call(
                backend,
                Duration.ofSeconds(1),
                call,
                new Waiter(Priority.INTERACTIVE, "alice"),
                CallDeadline.fixed(deadlineIn(Duration.ofSeconds(30))),
                () -> callsWhenStarted.add(backend.calls.get()));

        assertThat(attempted.attempts()).isEqualTo(3);
        assertThat(callsWhenStarted).as("told once, before the first call").containsExactly(0);
    }

    @Test
    void aCallCutShortByCloseAbandonsTheAskRatherThanFailingIt() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        var slow = new ScriptedBackend("b", c -> {
            calling.countDown();
            Thread.sleep(30_000); // as the dryrun backend waits out its latency
            return new BackendOutcome.Completed("m", "late", Usage.NONE);
        });
        AtomicReference<Object> ended = new AtomicReference<>();
        Thread ask = Thread.ofVirtual().start(() -> {
            try {
                ended.set(caller.call(slow, Duration.ofSeconds(20), call, deadlineIn(Duration.ofSeconds(30))));
            } catch (InterruptedException e) {
                ended.set(e);
            }
        });
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();

        caller.close();
        ask.join(Duration.ofSeconds(5));

        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
        assertThatThrownBy(() -> caller.call(slow, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(5))))
                .as("a call after close")
                .isInstanceOf(InterruptedException.class);
    }

    @Test
    void anInterruptOfTheAsksThreadEndsTheCallInProgressAndStartsNoOther() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        CountDownLatch callEnded = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        var slow = new ScriptedBackend("b", c -> {
            calls.incrementAndGet();
            calling.countDown();
            try {
                Thread.sleep(30_000);
            } finally {
                callEnded.countDown();
            }
            return new BackendOutcome.Completed("m", "late", Usage.NONE);
        });
        AtomicReference<Object> ended = new AtomicReference<>();
        Thread ask = Thread.ofVirtual().start(() -> {
            try {
                ended.set(caller.call(slow, Duration.ofSeconds(20), call, deadlineIn(Duration.ofSeconds(30))));
            } catch (InterruptedException e) {
                ended.set(e);
            }
        });
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();

        ask.interrupt(); // as a cancel does
        ask.join(Duration.ofSeconds(5));

        assertThat(ended.get()).isInstanceOf(InterruptedException.class);
        assertThat(callEnded.await(5, TimeUnit.SECONDS))
                .as("the backend call was cancelled too")
                .isTrue();
        assertThat(calls).hasValue(1);

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> caller.call(slow, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(5))))
                    .as("no attempt starts on an interrupted thread")
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void retriesTransientFailuresWithGrowingJitteredBackoff() throws Exception {
        var backend = failingThenAnswering(3, BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "502"));

        var attempted = caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));

        assertThat(attempted.outcome()).isInstanceOf(BackendOutcome.Completed.class);
        assertThat(attempted.attempts()).isEqualTo(4);
        assertThat(waits).hasSize(3);
        // 100 ms doubling, +-50% jitter: [50,150], [100,300], [200,600]
        assertThat(waits.get(0).toMillis()).isBetween(50L, 150L);
        assertThat(waits.get(1).toMillis()).isBetween(100L, 300L);
        assertThat(waits.get(2).toMillis()).isBetween(200L, 600L);
    }

    @Test
    void honoursALongerRetryAfter() throws Exception {
        var backend = failingThenAnswering(
                1, BackendOutcome.Failed.of(ErrorType.RATE_LIMITED, "429", Optional.of(Duration.ofSeconds(7))));

        caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));

        assertThat(waits).containsExactly(Duration.ofSeconds(7));
    }

    @Test
    void doesNotWaitPastTheDeadline() throws Exception {
        var backend = failingThenAnswering(
                1, BackendOutcome.Failed.of(ErrorType.RATE_LIMITED, "429", Optional.of(Duration.ofSeconds(60))));

        var attempted = caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(5)));

        assertThat(attempted.attempts()).isEqualTo(1);
        assertThat(waits).isEmpty();
        assertThat(((BackendOutcome.Failed) attempted.outcome()).errorType().wireName())
                .isEqualTo("rate_limited");
    }

    @Test
    void permanentFailuresAreNotRetried() throws Exception {
        var backend = failingThenAnswering(1, BackendOutcome.Failed.of(ErrorType.INVALID_REQUEST, "400"));
        var attempted = caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));
        assertThat(attempted.attempts()).isEqualTo(1);
        assertThat(backend.calls).hasValue(1);
    }

    @Test
    void aBackendThatThrowsFailsForGoodAsAnInvalidResponse() throws Exception {
        var buggy = new ScriptedBackend("b", c -> {
            throw new IllegalStateException("a bug in the backend's client");
        });
        var attempted = caller.call(buggy, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));

        var failed = (BackendOutcome.Failed) attempted.outcome();
        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.message()).isEqualTo("b failed: IllegalStateException");
        assertThat(attempted.attempts()).isEqualTo(1);
        assertThat(buggy.calls).hasValue(1);
    }

    @Test
    void givesUpAfterMaxAttempts() throws Exception {
        var backend = failingThenAnswering(99, BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "500"));
        var attempted = caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));
        assertThat(attempted.attempts()).isEqualTo(4);
        assertThat(attempted.outcome()).isInstanceOf(BackendOutcome.Failed.class);
    }

    @Test
    void openCircuitFailsFastWithoutCallingTheBackend() throws Exception {
        var backend = failingThenAnswering(99, BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "500"));
        for (int i = 0; i < 3; i++) { // 12 failed calls: past the minimum of 10, all failures
            caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));
        }
        assertThat(caller.circuitBreaker("b").getState()).isEqualTo(CircuitBreaker.State.OPEN);
        int callsSoFar = backend.calls.get();

        var attempted = caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));

        var failed = (BackendOutcome.Failed) attempted.outcome();
        assertThat(failed.errorType().wireName()).isEqualTo("backend_unavailable");
        assertThat(failed.httpStatus()).isEqualTo(503);
        assertThat(failed.message()).contains("circuit breaker is open");
        assertThat(attempted.attempts()).isZero();
        assertThat(backend.calls).hasValue(callsSoFar);
    }

    @Test
    void callsCutAtTheAsksDeadlineDoNotOpenTheCircuit() throws Exception {
        var slow = new ScriptedBackend("b", c -> {
            Thread.sleep(5_000);
            return new BackendOutcome.Completed("m", "late", Usage.NONE);
        });
        for (int i = 0; i < 12; i++) { // past the minimum of 10: each cut at a 50 ms deadline
            var attempted = caller.call(slow, Duration.ofSeconds(10), call, deadlineIn(Duration.ofMillis(50)));

            assertThat(attempted.stoppedByDeadline()).isTrue();
            assertThat(((BackendOutcome.Failed) attempted.outcome()).errorType())
                    .isEqualTo(ErrorType.TIMEOUT);
        }

        assertThat(caller.circuitBreaker("b").getState())
                .as("a client's short deadline says nothing of the backend")
                .isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void rejectedRequestsDoNotOpenTheCircuit() throws Exception {
        var backend = failingThenAnswering(99, BackendOutcome.Failed.of(ErrorType.INVALID_REQUEST, "400"));
        for (int i = 0; i < 15; i++) {
            caller.call(backend, Duration.ofSeconds(1), call, deadlineIn(Duration.ofSeconds(30)));
        }
        assertThat(caller.circuitBreaker("b").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    }
}
