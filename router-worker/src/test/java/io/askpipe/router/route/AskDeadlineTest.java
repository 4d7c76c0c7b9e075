package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.config.Env;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.ScriptedBackend;
import io.askpipe.router.backend.dryrun.DryrunBackend;
import io.askpipe.router.resilience.ResilienceSettings;
import io.askpipe.router.resilience.ResilientCaller;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An ask's own deadline ends it expired, queued, during a call or before a retry, and only then. */
class AskDeadlineTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Clock FIXED = Clock.fixed(NOW, ZoneOffset.UTC);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Duration> waits = new ArrayList<>();
    private final ResilientCaller caller = new ResilientCaller(
            new ResilienceSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(1), 50, 20, Duration.ofMinutes(1)),
            waits::add);

    @AfterEach
    void close() {
        caller.close();
    }

    /** A handler over {@code backend} (timeout {@code timeout}) with {@code budget} as ROUTER_ASK_DEADLINE_MS. */
    private AskHandler handler(ScriptedBackend backend, Duration timeout, Duration budget, Clock clock) {
        BackendRegistry registry = BackendRegistry.builder()
                .available(new DryrunBackend(Duration.ZERO), Duration.ofSeconds(5))
                .available(backend, timeout)
                .build();
        return new AskHandler(
                Routing.fromEnv(
                        Env.of(Map.of("ASKPIPE_BACKENDS", String.join(",", registry.names()), "ASKPIPE_MODELS", "*"))),
                registry,
                caller,
                budget,
                clock,
                new RouterMetrics(meters),
                FaultInjector.NONE);
    }

    private static AskRequest ask(String backend, Instant acceptedAt) {
        return new AskRequest("id-1", "alice", "k", "why is the sky blue", null, backend, acceptedAt);
    }

    private static ScriptedBackend counting() {
        return new ScriptedBackend("fake", call -> new BackendOutcome.Completed("m", "an answer", Usage.of(1, 2)));
    }

    private static ScriptedBackend slow(Duration latency) {
        return new ScriptedBackend("fake", call -> {
            Thread.sleep(latency);
            return new BackendOutcome.Completed("m", "late", Usage.of(1, 2));
        });
    }

    @Test
    void anAskPastItsDeadlineWhenTakenExpiresWithoutABackendCall() throws Exception {
        ScriptedBackend backend = counting();
        AskHandler handler = handler(backend, Duration.ofSeconds(5), Duration.ofSeconds(30), FIXED);

        AskResult past = handler.handle(ask("fake", NOW.minusSeconds(60)).withDeadline(NOW.minusSeconds(1)));
        AskResult atIt = handler.handle(ask("fake", NOW.minusSeconds(60)).withDeadline(NOW));

        for (AskResult result : List.of(past, atIt)) {
            assertThat(result.status()).isEqualTo(AskStatus.EXPIRED);
            assertThat(result.error().type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
            assertThat(result.error().httpStatus()).isEqualTo(504);
            assertThat(result.attempts()).isZero();
            assertThat(result.backend()).isEqualTo("fake");
            assertThat(result.completedAt()).as("when it was found expired").isEqualTo(NOW);
            assertThat(result.answer()).isNull();
        }
        assertThat(past.error().message())
                .isEqualTo(
                        "the ask's deadline 2026-11-26T11:59:59Z passed before it had an answer; no backend was called");
        assertThat(backend.calls.get()).as("no backend call").isZero();
        assertThat(meters.find("ask_expired").tag("backend", "fake").counter().count())
                .isEqualTo(2);
        assertThat(meters.find("ask_errors").counters())
                .as("an expired ask is not a failure")
                .isEmpty();
    }

    @Test
    void anAskBeforeItsDeadlineIsAnsweredAsOneWithout() throws Exception {
        ScriptedBackend backend = counting();
        AskHandler handler = handler(backend, Duration.ofSeconds(5), Duration.ofSeconds(30), FIXED);

        AskResult withDeadline = handler.handle(ask("fake", NOW).withDeadline(NOW.plusSeconds(1)));
        AskResult without = handler.handle(ask("fake", NOW));

        assertThat(withDeadline.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(withDeadline)
                .usingRecursiveComparison()
                .ignoringFields("latencyMs")
                .isEqualTo(without);
        assertThat(backend.calls.get()).isEqualTo(2);
    }

    @Test
    void aCallThatRunsPastTheDeadlineIsCutAtItAndExpires() throws Exception {
        ScriptedBackend backend = slow(Duration.ofSeconds(20));
        AskHandler handler = handler(backend, Duration.ofSeconds(10), Duration.ofSeconds(30), Clock.systemUTC());
        Instant now = Instant.now();

        long started = System.nanoTime();
        AskResult result = handler.handle(ask("fake", now).withDeadline(now.plusMillis(300)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(result.status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(result.error().type()).isEqualTo(ErrorType.DEADLINE_EXCEEDED);
        assertThat(result.error().message()).contains("(last: timeout from fake: fake did not answer within");
        assertThat(result.attempts()).as("one call, cut; no retry").isEqualTo(1);
        assertThat(backend.calls.get()).isEqualTo(1);
        assertThat(waits).as("no backoff after the cut").isEmpty();
        assertThat(took)
                .as("cut at the deadline, not at the backend's 10 s time limit")
                .isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aRetryThatWouldStartAfterTheDeadlineDoesNotHappen() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(
                "fake",
                call -> BackendOutcome.Failed.of(
                        ErrorType.UPSTREAM_ERROR, "fake answered 503", Optional.of(Duration.ofSeconds(5))));
        AskHandler handler = handler(backend, Duration.ofSeconds(10), Duration.ofSeconds(30), Clock.systemUTC());
        Instant now = Instant.now();

        AskResult result = handler.handle(ask("fake", now).withDeadline(now.plusSeconds(2)));

        assertThat(result.status()).isEqualTo(AskStatus.EXPIRED);
        assertThat(result.error().message()).contains("(last: upstream_error from fake: fake answered 503)");
        assertThat(backend.calls.get())
                .as("the retry after Retry-After would start past the deadline")
                .isEqualTo(1);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(waits).as("nor is it waited for").isEmpty();
    }

    @Test
    void retriesWithinTheDeadlineStillHappen() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(
                "fake", call -> BackendOutcome.Failed.of(ErrorType.UPSTREAM_ERROR, "fake answered 503"));
        AskHandler handler = handler(backend, Duration.ofSeconds(10), Duration.ofSeconds(30), Clock.systemUTC());
        Instant now = Instant.now();

        AskResult result = handler.handle(ask("fake", now).withDeadline(now.plusSeconds(60)));

        assertThat(result.status())
                .as("retries spent well before the deadline: a failure")
                .isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(backend.calls.get()).isEqualTo(3);
    }

    @Test
    void theRoutersOwnBudgetEndingFirstIsATimeoutNotAnExpiry() throws Exception {
        ScriptedBackend backend = slow(Duration.ofSeconds(20));
        AskHandler handler = handler(backend, Duration.ofSeconds(10), Duration.ofMillis(300), Clock.systemUTC());
        Instant now = Instant.now();

        AskResult result = handler.handle(ask("fake", now).withDeadline(now.plusSeconds(3600)));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo(ErrorType.TIMEOUT);
    }

    @Test
    void aNonRetriableFailureBeforeTheDeadlineStaysAFailure() throws Exception {
        ScriptedBackend backend = new ScriptedBackend(
                "fake", call -> BackendOutcome.Failed.of(ErrorType.INVALID_REQUEST, "fake answered 400"));
        AskHandler handler = handler(backend, Duration.ofSeconds(10), Duration.ofSeconds(30), Clock.systemUTC());
        Instant now = Instant.now();

        AskResult result = handler.handle(ask("fake", now).withDeadline(now.plusSeconds(60)));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo(ErrorType.INVALID_REQUEST);
    }

    @Test
    void aWaitForAPermitMovesTheRoutersBudgetOnButNotTheAsksOwnDeadline() {
        long started = System.nanoTime();
        AskDeadline budgetOnly = AskDeadline.of(ask("fake", NOW), Duration.ofSeconds(10), FIXED, started);
        AskDeadline own = AskDeadline.of(
                ask("fake", NOW).withDeadline(NOW.plusSeconds(60)), Duration.ofSeconds(10), FIXED, started);

        budgetOnly.waited(Duration.ofSeconds(30));
        own.waited(Duration.ofSeconds(30));

        assertThat(budgetOnly.nanos() - started)
                .isEqualTo(Duration.ofSeconds(40).toNanos());
        assertThat(budgetOnly.waitBound())
                .as("no deadline of its own: the wait is unbounded")
                .isEmpty();
        assertThat(budgetOnly.waited()).isEqualTo(Duration.ofSeconds(30));
        assertThat(own.waitBound()).contains(started + Duration.ofSeconds(60).toNanos());
        assertThat(own.nanos() - started)
                .as("the budget, moved on by the wait")
                .isEqualTo(Duration.ofSeconds(40).toNanos());
        assertThat(own.expires()).as("the budget still ends first").isFalse();

        own.waited(Duration.ofSeconds(25));

        assertThat(own.nanos() - started)
                .as("now the ask's own deadline comes first")
                .isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(own.expires()).isTrue();
    }
}
