package io.askpipe.router.backend.llama;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.backend.http.StubLlmServer.Reply;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LlamaBackendTest {
    private static final String CHAT = """
            {"model": "llama3.2", "created_at": "2026-11-26T12:00:00.000000Z",
             "message": {"role": "assistant", "content": "Rayleigh scattering."},
             "done_reason": "stop", "done": true, "total_duration": 5191566416, "load_duration": 2154458,
             "prompt_eval_count": 26, "prompt_eval_duration": 383809000, "eval_count": 298,
             "eval_duration": 4799921000}
            """;

    private StubLlmServer server;
    private LlamaBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        backend = backend(new LlamaSettings(server.baseUrl() + "/", "llama3.2", null, null));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    private static LlamaBackend backend(LlamaSettings settings) {
        return new LlamaBackend(settings, Duration.ofSeconds(2));
    }

    private BackendOutcome ask() throws InterruptedException {
        return backend.call(BackendCall.ofPrompt("id-1", "why is the sky blue", null));
    }

    private static BackendOutcome.Failed failed(BackendOutcome outcome) {
        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.message()).doesNotContain("Exception:").doesNotContain("\tat ");
        return failed;
    }

    @Test
    void aPingAsksForTheTagsAndSaysWhatWentWrong() throws Exception {
        server.answer(Reply.json(200, "{\"models\": [{\"name\": \"llama3.2:latest\"}]}"));
        assertThat(backend.ping()).isEmpty();
        StubLlmServer.Received request = server.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/api/tags");

        server.answer(Reply.json(500, "{\"error\": \"boom\"}"));
        assertThat(backend.ping())
                .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .isEqualTo("llama answered HTTP 500 at " + server.baseUrl() + "/api/tags");
    }

    @Test
    void postsTheChatWithoutStreamingAndReadsTheAnswer() throws Exception {
        backend.close();
        backend = backend(new LlamaSettings(server.baseUrl(), "llama3.2", 256, 0.7));
        server.answer(Reply.json(200, CHAT));

        BackendOutcome outcome = ask();

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed("llama3.2", "Rayleigh scattering.", new Usage(26, 298, 324)));
        StubLlmServer.Received request = server.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/api/chat");
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(request.headers().containsKey("Authorization")).isFalse();
        assertThat(request.json()).isEqualTo(Json.mapper().readTree("""
                                {"model": "llama3.2",
                                 "messages": [{"role": "user", "content": "why is the sky blue"}],
                                 "stream": false,
                                 "options": {"num_predict": 256, "temperature": 0.7}}
                                """));
    }

    @Test
    void theAsksModelWinsAndOptionsAreLeftOut() throws Exception {
        server.answer(Reply.json(200, """
                {"message": {"role": "assistant", "content": "hi"}, "done": true, "eval_count": 2}"""));

        BackendOutcome outcome = backend.call(BackendCall.ofPrompt("id-2", "hello", "qwen2.5:0.5b"));

        // a cached prompt has no prompt_eval_count
        assertThat(outcome).isEqualTo(new BackendOutcome.Completed("qwen2.5:0.5b", "hi", new Usage(0, 2, 2)));
        assertThat(server.only().json()).isEqualTo(Json.mapper().readTree("""
                                {"model": "qwen2.5:0.5b", "messages": [{"role": "user", "content": "hello"}],
                                 "stream": false}
                                """));
    }

    @Test
    void aRejectedRequestIsPermanentAndCarriesTheServersMessage() throws Exception {
        server.answer(Reply.json(400, "{\"error\": \"invalid options: num_ctx\"}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.httpStatus()).isEqualTo(400);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).isEqualTo("llama rejected the request (HTTP 400): invalid options: num_ctx");
    }

    @Test
    void anUnknownModelIsAnInvalidRequest() throws Exception {
        server.answer(Reply.json(404, "{\"error\": \"model \\\"nope\\\" not found, try pulling it first\"}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.httpStatus()).isEqualTo(400);
        assertThat(failed.message()).contains("model \"nope\" not found");
    }

    @Test
    void refusedCredentialsArePermanent() throws Exception {
        // an Ollama behind an authenticating proxy
        server.answer(Reply.json(401, "{\"error\": \"unauthorized\"}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.BACKEND_AUTH_FAILED);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isFalse();
    }

    @Test
    void rateLimitingIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(Reply.json(429, "{\"error\": \"server busy, please try again\"}")
                .withHeader("Retry-After", "7"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(failed.httpStatus()).isEqualTo(429);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aServerErrorIsTransient() throws Exception {
        server.answer(Reply.json(500, "{\"error\": \"llama runner process has terminated: signal: killed\"}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isNull();
        assertThat(failed.message()).contains("llama runner process has terminated");
    }

    @Test
    void anOverloadedServerIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(new Reply(503, "", Map.of("Retry-After", "2")));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void malformedJsonIsAPermanentInvalidResponse() throws Exception {
        server.answer(Reply.json(200, "{\"message\": {\"content\": \"Rayleigh"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isFalse();
    }

    @Test
    void anAnswerWithoutContentIsAPermanentInvalidResponse() throws Exception {
        server.answer(Reply.json(200, "{\"model\": \"llama3.2\", \"done\": true}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).isEqualTo("llama answered without message.content");
    }

    @Test
    void aRefusedConnectionIsTransientlyUnavailable() throws Exception {
        backend.close();
        backend = backend(new LlamaSettings(StubLlmServer.refusingBaseUrl(), "llama3.2", null, null));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.BACKEND_UNAVAILABLE);
        assertThat(failed.httpStatus()).isEqualTo(503);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.message()).isEqualTo("llama is unreachable: connection refused");
    }

    @Test
    void aSlowAnswerGivesWayToAnInterrupt() throws Exception {
        server.hang();
        CompletableFuture<Object> ended = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                ended.complete(ask());
            } catch (Throwable e) {
                ended.complete(e);
            }
        });
        assertThat(server.awaitFirstRequest(Duration.ofSeconds(5))).isTrue();

        caller.interrupt();

        assertThat(caller.join(Duration.ofSeconds(5))).isTrue();
        assertThat(ended.getNow(null)).isInstanceOf(InterruptedException.class);
    }
}
