package io.askpipe.router.cancel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.Env;
import io.askpipe.router.route.Routing;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancelGuardTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final CancelledAsks cancelled = new CancelledAsks(Duration.ofDays(1), clock);
    private final RunningAsks running = new RunningAsks();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CancelGuard guard =
            new CancelGuard(cancelled, running, Routing.fromEnv(Env.of(Map.of())), clock, registry);
    private final AskRequest request =
            new AskRequest(UUID.randomUUID().toString(), "alice", "k", "hello", null, null, NOW.minusSeconds(5));

    private AskCancel cancelOf(AskRequest ask) {
        return new AskCancel(ask.requestId(), ask.userId(), null, null, ask.acceptedAt(), NOW.minusSeconds(1));
    }

    private AskResult answer() {
        return AskResult.succeeded(request.requestId(), "dryrun", "m", "hi", Usage.NONE, 1, 1, NOW);
    }

    @Test
    void anAskCancelledBeforeItRunsEndsCancelledWithoutItsWork() throws Exception {
        cancelled.add(cancelOf(request));
        AtomicInteger works = new AtomicInteger();

        AskResult result = guard.run(request, started -> {
            works.incrementAndGet();
            return answer();
        });

        assertThat(works).hasValue(0);
        assertThat(result.status()).isEqualTo(AskStatus.CANCELLED);
        assertThat(result.error().type()).isEqualTo(ErrorType.CANCELLED);
        assertThat(result.attempts()).isZero();
        assertThat(result.backend()).isEqualTo("dryrun");
        assertThat(result.completedAt()).as("the moment of the cancel").isEqualTo(NOW.minusSeconds(1));
        assertThat(registry.get("ask_cancelled")
                        .tag("stage", "queued")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aCancelDuringTheWorkInterruptsItAndLeavesTheThreadUninterrupted() throws Exception {
        CountDownLatch calling = new CountDownLatch(1);
        var executor = Executors.newVirtualThreadPerTaskExecutor();
        Future<Object[]> outcome = executor.submit(() -> {
            AskResult result = guard.run(request, started -> {
                started.accept("dryrun");
                calling.countDown();
                Thread.sleep(Duration.ofSeconds(30));
                return answer();
            });
            return new Object[] {result, Thread.currentThread().isInterrupted()};
        });
        assertThat(calling.await(5, TimeUnit.SECONDS)).isTrue();

        cancelled.add(cancelOf(request));
        assertThat(running.cancel(request.requestId())).isEqualTo(1);

        Object[] done = outcome.get(5, TimeUnit.SECONDS);
        AskResult result = (AskResult) done[0];
        assertThat(result.status()).isEqualTo(AskStatus.CANCELLED);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.error().message()).contains("during a call to dryrun");
        assertThat((Boolean) done[1]).as("the cancel's interrupt is spent").isFalse();
        assertThat(running.size()).isZero();
        assertThat(running.cancel(request.requestId()))
                .as("nothing runs any more")
                .isZero();
        executor.shutdownNow();
    }

    @Test
    void anInterruptThatIsNotACancelHandsTheAskBack() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> guard.run(request, started -> {
                        Thread.sleep(1000);
                        return answer();
                    }))
                    .isInstanceOf(InterruptedException.class);
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anAnswerThatCameAsTheCancelDidStaysTheCandidate() throws Exception {
        AskResult result = guard.run(request, started -> {
            cancelled.add(cancelOf(request));
            running.cancel(request.requestId());
            return answer();
        });

        assertThat(result.status()).as("keepFirst decides between them").isEqualTo(AskStatus.SUCCEEDED);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void cancelsOfAsksPastTheRetentionAreNotKept() {
        CancelledAsks shortMemory = new CancelledAsks(Duration.ofMinutes(1), clock);
        AskRequest old = new AskRequest(
                UUID.randomUUID().toString(), "alice", "k", "hello", null, null, NOW.minus(Duration.ofMinutes(2)));

        assertThat(shortMemory.add(cancelOf(old))).isFalse();
        assertThat(shortMemory.add(cancelOf(request))).isTrue();
        assertThat(shortMemory.find(request.requestId())).isPresent();
        assertThat(shortMemory.forgetPastRetention()).isZero();
    }
}
