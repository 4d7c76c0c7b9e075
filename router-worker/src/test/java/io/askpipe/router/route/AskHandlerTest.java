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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AskHandlerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Duration> waits = new ArrayList<>();
    private final ResilientCaller caller = new ResilientCaller(
            new ResilienceSettings(Duration.ofSeconds(30), 3, Duration.ofMillis(1), 50, 20, Duration.ofMinutes(1)),
            waits::add);

    @AfterEach
    void close() {
        caller.close();
    }

    /** A handler whose catalog registers the backends of {@code registry} and permits any model. */
    private AskHandler handler(Map<String, String> env, BackendRegistry registry) {
        Map<String, String> vars = new HashMap<>(env);
        vars.putIfAbsent("ASKPIPE_BACKENDS", String.join(",", registry.names()));
        vars.putIfAbsent("ASKPIPE_MODELS", "*");
        return new AskHandler(
                Routing.fromEnv(Env.of(vars)),
                registry,
                caller,
                Duration.ofSeconds(30),
                Clock.fixed(NOW, ZoneOffset.UTC),
                new RouterMetrics(meters),
                FaultInjector.NONE);
    }

    private static BackendRegistry.Builder registry(Duration timeout, ScriptedBackend... backends) {
        var builder = BackendRegistry.builder().available(new DryrunBackend(Duration.ZERO), Duration.ofSeconds(5));
        for (ScriptedBackend backend : backends) {
            builder.available(backend, timeout);
        }
        return builder;
    }

    private static AskRequest ask(String backend, String model) {
        return new AskRequest("id-1", "alice", "k", "why is the sky blue", model, backend, NOW);
    }

    private static ScriptedBackend answering(String name) {
        return new ScriptedBackend(
                name,
                call -> new BackendOutcome.Completed(
                        call.model() == null ? name + "-default" : call.model(), "from " + name, Usage.of(1, 2)));
    }

    @Test
    void dryrunEchoesThePromptWithUsage() throws Exception {
        AskResult result =
                handler(Map.of(), registry(Duration.ofSeconds(5)).build()).handle(ask(null, null));

        assertThat(result.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(result.backend()).isEqualTo("dryrun");
        assertThat(result.model()).isEqualTo("dryrun-echo");
        assertThat(result.answer()).isEqualTo("[dryrun] why is the sky blue");
        assertThat(result.usage()).isEqualTo(new Usage(5, 6, 11));
        assertThat(result.reqId()).isEqualTo("id-1");
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(result.completedAt()).isEqualTo(NOW);
        assertThat(meters.find("ask_latency_ms")
                        .tag("backend", "dryrun")
                        .summary()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void anAskReadFromARecordOfTheOlderFormatIsAnsweredAsBefore() throws Exception {
        // written by versions before chat bodies: no schema_version, the prompt at the top
        byte[] record = ("{\"request_id\":\"id-1\",\"user_id\":\"alice\",\"idempotency_key\":\"k\","
                        + "\"prompt\":\"why is the sky blue\",\"accepted_at\":\"2026-11-26T12:00:00Z\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        AskRequest old = io.askpipe.schemas.Topics.ofDefaults()
                .requests()
                .valueSerde()
                .deserializer()
                .deserialize("ask.requests", record);
        AskHandler handler = handler(Map.of(), registry(Duration.ofSeconds(5)).build());

        AskResult result = handler.handle(old);

        assertThat(old).isEqualTo(ask(null, null));
        assertThat(result)
                .usingRecursiveComparison()
                .ignoringFields("latencyMs")
                .isEqualTo(handler.handle(ask(null, null)));
        assertThat(result.answer()).isEqualTo("[dryrun] why is the sky blue");
        assertThat(result.usage()).isEqualTo(new Usage(5, 6, 11));
    }

    @Test
    void modelRoutesToItsBackendWithTheModel() throws Exception {
        var openai = answering("openai");
        AskResult result = handler(
                        Map.of(), registry(Duration.ofSeconds(5), openai).build())
                .handle(ask(null, "gpt-4o-mini"));
        assertThat(result.backend()).isEqualTo("openai");
        assertThat(result.model()).isEqualTo("gpt-4o-mini");
        assertThat(openai.calls).hasValue(1);
    }

    @Test
    void unavailableBackendIsA503ResultNotAnException() throws Exception {
        var registry = registry(Duration.ofSeconds(5))
                .unavailable("openai", "openai is not configured")
                .build();
        AskResult result = handler(Map.of(), registry).handle(ask(null, "gpt-4o"));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.backend()).isEqualTo("openai");
        assertThat(result.error().type().wireName()).isEqualTo("backend_unavailable");
        assertThat(result.error().httpStatus()).isEqualTo(503);
        assertThat(result.error().message()).isEqualTo("openai is not configured");
        assertThat(result.attempts()).isZero();
        assertThat(meters.find("ask_errors")
                        .tag("backend", "openai")
                        .tag("error_type", "backend_unavailable")
                        .counter()
                        .count())
                .isEqualTo(1);
    }

    @Test
    void anAskForAnUnregisteredBackendFailsTypedUnderARegisteredName() throws Exception {
        List<String> started = new ArrayList<>();
        var openai = answering("openai");
        AskResult result = handler(
                        Map.of(), registry(Duration.ofSeconds(5), openai).build())
                .handle(ask("nosuch", "gpt-4o"), started::add);

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo(ErrorType.UNKNOWN_BACKEND);
        assertThat(result.error().httpStatus()).isEqualTo(422);
        assertThat(result.error().message()).startsWith("backend 'nosuch' is not a backend of this deployment");
        assertThat(result.attempts()).isZero();
        assertThat(openai.calls).as("no backend is called").hasValue(0);
        assertThat(started).as("nor announced as running").isEmpty();
        assertThat(result.backend())
                .as("the backend its route starts with once the unregistered name is passed over")
                .isEqualTo("openai");
        assertThat(meters.find("ask_errors")
                        .tag("backend", "openai")
                        .tag("error_type", ErrorType.UNKNOWN_BACKEND.wireName())
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(backendLabels()).containsOnly("openai");
    }

    @Test
    void anAskForAModelNoLongerPermittedFailsTypedWithoutACall() throws Exception {
        var openai = answering("openai");
        AskResult result = handler(
                        Map.of("ASKPIPE_MODELS", "gpt-4o-mini"),
                        registry(Duration.ofSeconds(5), openai).build())
                .handle(ask(null, "gpt-4.5-preview"));

        assertThat(result.error().type()).isEqualTo(ErrorType.MODEL_NOT_PERMITTED);
        assertThat(result.error().httpStatus()).isEqualTo(422);
        assertThat(result.error().message())
                .isEqualTo("model 'gpt-4.5-preview' is not a permitted model (permitted: gpt-4o-mini)");
        assertThat(result.backend()).isEqualTo("openai");
        assertThat(result.model()).isEqualTo("gpt-4.5-preview");
        assertThat(openai.calls).hasValue(0);
        assertThat(backendLabels()).containsOnly("openai");
    }

    /** Every value of the {@code backend} label among the meters. */
    private List<String> backendLabels() {
        return meters.getMeters().stream()
                .map(meter -> meter.getId().getTag("backend"))
                .filter(java.util.Objects::nonNull)
                .distinct()
                .toList();
    }

    @Test
    void fallsBackWhenThePrimaryIsUnavailableAndCountsEveryAttempt() throws Exception {
        var down = new ScriptedBackend(
                "openai", call -> BackendOutcome.Failed.of(ErrorType.BACKEND_UNAVAILABLE, "connection refused"));
        var llama = answering("llama");
        AskResult result = handler(
                        Map.of("ROUTER_FALLBACKS", "openai:llama"),
                        registry(Duration.ofSeconds(5), down, llama).build())
                .handle(ask(null, "gpt-4o"));

        assertThat(result.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(result.backend()).isEqualTo("llama");
        assertThat(result.model()).as("a fallback uses its own default model").isEqualTo("llama-default");
        assertThat(result.attempts()).isEqualTo(4);
        assertThat(down.calls).hasValue(3);
    }

    @Test
    void theStartIsToldOncePerAskWithTheBackendOfItsFirstCall() throws Exception {
        var down = new ScriptedBackend(
                "openai", call -> BackendOutcome.Failed.of(ErrorType.BACKEND_UNAVAILABLE, "connection refused"));
        var llama = answering("llama");
        List<String> started = new ArrayList<>();
        AskResult result = handler(
                        Map.of("ROUTER_FALLBACKS", "openai:llama"),
                        registry(Duration.ofSeconds(5), down, llama).build())
                .handle(ask(null, "gpt-4o"), backend -> {
                    started.add(backend);
                    assertThat(down.calls).as("told before the call").hasValue(0);
                });

        assertThat(result.status()).isEqualTo(AskStatus.SUCCEEDED);
        assertThat(started).as("once, for retries and fallbacks alike").containsExactly("openai");
    }

    @Test
    void anUnavailablePrimaryIsNotToldAsStarted() throws Exception {
        var llama = answering("llama");
        var registry = registry(Duration.ofSeconds(5), llama)
                .unavailable("openai", "openai is not configured")
                .build();
        List<String> started = new ArrayList<>();
        AskResult result =
                handler(Map.of("ROUTER_FALLBACKS", "openai:llama"), registry).handle(ask(null, "gpt-4o"), started::add);

        assertThat(result.backend()).isEqualTo("llama");
        assertThat(started).as("the backend first called").containsExactly("llama");
    }

    @Test
    void aRejectedRequestDoesNotFallBack() throws Exception {
        var rejecting = new ScriptedBackend(
                "openai", call -> BackendOutcome.Failed.of(ErrorType.INVALID_REQUEST, "model does not exist"));
        var llama = answering("llama");
        AskResult result = handler(
                        Map.of("ROUTER_FALLBACKS", "openai:llama"),
                        registry(Duration.ofSeconds(5), rejecting, llama).build())
                .handle(ask(null, "gpt-nope"));

        assertThat(result.error().type().wireName()).isEqualTo("invalid_request");
        assertThat(result.error().httpStatus()).isEqualTo(400);
        assertThat(result.attempts()).isEqualTo(1);
        assertThat(llama.calls).hasValue(0);
    }

    @Test
    void slowBackendTimesOutAndIsCancelled() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        var slow = new ScriptedBackend("slow", call -> {
            try {
                Thread.sleep(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return new BackendOutcome.Completed("m", "late", Usage.NONE);
        });
        AskResult result = handler(
                        Map.of("PROMPT_BACKEND", "slow", "ROUTER_RETRY_MAX_ATTEMPTS", "1"),
                        registry(Duration.ofMillis(50), slow).build())
                .handle(ask(null, null));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type().wireName()).isEqualTo("timeout");
        assertThat(result.error().httpStatus()).isEqualTo(503);
        assertThat(interrupted.await(5, TimeUnit.SECONDS))
                .as("the call was cancelled")
                .isTrue();
    }

    @Test
    void backendBugBecomesAPermanentInvalidResponse() throws Exception {
        var broken = new ScriptedBackend("broken", call -> {
            throw new IllegalStateException("boom");
        });
        AskResult result = handler(
                        Map.of("PROMPT_BACKEND", "broken"),
                        registry(Duration.ofSeconds(5), broken).build())
                .handle(ask(null, null));
        assertThat(result.error().type()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(result.error().httpStatus()).isEqualTo(502);
        assertThat(broken.calls).as("a bug is not retried").hasValue(1);
    }
}
