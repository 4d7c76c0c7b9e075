package io.askpipe.router.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
