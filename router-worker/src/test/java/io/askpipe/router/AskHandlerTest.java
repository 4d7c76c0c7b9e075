package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.router.spi.BackendOutcome;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AskHandlerTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private AskHandler handler(String defaultBackend, Duration timeout, ScriptedBackend... extra) {
        var backends = new java.util.ArrayList<io.askpipe.router.spi.Backend>(java.util.List.of(extra));
        backends.add(new DryrunBackend(Duration.ZERO));
        return new AskHandler(
                new BackendRegistry(defaultBackend, backends.toArray(io.askpipe.router.spi.Backend[]::new)),
                timeout,
                Clock.fixed(NOW, ZoneOffset.UTC),
                new RouterMetrics(meters));
    }

    private static AskRequest ask(String backend, String model) {
        return new AskRequest("id-1", "alice", "k", "why is the sky blue", model, backend, NOW);
    }

    @Test
    void dryrunEchoesThePromptWithUsage() throws Exception {
        AskResult result = handler(null, Duration.ofSeconds(5)).handle(ask(null, null));

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
    void explicitBackendWinsOverTheDefault() throws Exception {
        var scripted = new ScriptedBackend("other", call -> new BackendOutcome.Completed("m", "a", Usage.NONE));
        assertThat(handler("dryrun", Duration.ofSeconds(5), scripted)
                        .handle(ask("other", null))
                        .backend())
                .isEqualTo("other");
        assertThat(handler("other", Duration.ofSeconds(5), scripted)
                        .handle(ask(null, null))
                        .backend())
                .isEqualTo("other");
        assertThat(scripted.calls).hasValue(2);
    }

    @Test
    void unknownBackendIsA503ResultNotAnException() throws Exception {
        AskResult result = handler(null, Duration.ofSeconds(5)).handle(ask("nosuch", "m1"));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo("backend_unavailable");
        assertThat(result.error().httpStatus()).isEqualTo(503);
        assertThat(result.backend()).isEqualTo("nosuch");
        assertThat(result.attempts()).isZero();
        assertThat(meters.find("ask_errors")
                        .tag("backend", "unknown")
                        .tag("error_type", "backend_unavailable")
                        .counter()
                        .count())
                .isEqualTo(1);
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
        AskResult result = handler("slow", Duration.ofMillis(50), slow).handle(ask(null, null));

        assertThat(result.status()).isEqualTo(AskStatus.FAILED);
        assertThat(result.error().type()).isEqualTo("timeout");
        assertThat(result.error().httpStatus()).isEqualTo(503);
        assertThat(interrupted.await(5, TimeUnit.SECONDS))
                .as("the call was cancelled")
                .isTrue();
    }

    @Test
    void backendBugBecomesAnUpstreamError() throws Exception {
        var broken = new ScriptedBackend("broken", call -> {
            throw new IllegalStateException("boom");
        });
        AskResult result = handler("broken", Duration.ofSeconds(5), broken).handle(ask(null, null));
        assertThat(result.error().type()).isEqualTo("upstream_error");
        assertThat(result.error().httpStatus()).isEqualTo(502);
    }
}
