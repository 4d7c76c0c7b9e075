package io.askpipe.router.backend.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.http.StubLlmServer;
import io.askpipe.router.backend.http.StubLlmServer.Reply;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Usage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiBackendTest {
    private static final String KEY = "sk-test-0123456789abcdef";
    private static final String COMPLETION = """
            {"id": "chatcmpl-1", "object": "chat.completion", "created": 1764158400,
             "model": "gpt-4o-mini-2024-07-18",
             "choices": [{"index": 0, "message": {"role": "assistant", "content": "Rayleigh scattering."},
                          "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}}
            """;

    private StubLlmServer server;
    private OpenAiBackend backend;

    @BeforeEach
    void start() throws Exception {
        server = new StubLlmServer();
        backend = backend(new OpenAiSettings(server.baseUrl() + "/", KEY, "gpt-4o-mini", null, null));
    }

    @AfterEach
    void stop() {
        backend.close();
        server.close();
    }

    private static OpenAiBackend backend(OpenAiSettings settings) {
        return new OpenAiBackend(settings, Duration.ofSeconds(2));
    }

    private BackendOutcome ask() throws InterruptedException {
        return backend.call(BackendCall.ofPrompt("id-1", "why is the sky blue", null));
    }

    private static BackendOutcome.Failed failed(BackendOutcome outcome) {
        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.message())
                .doesNotContain(KEY)
                .doesNotContain("Exception:")
                .doesNotContain("\tat ");
        return failed;
    }

    @Test
    void aPingListsTheModelsWithTheKeyAndSaysWhatWentWrong() throws Exception {
        server.answer(Reply.json(200, "{\"object\": \"list\", \"data\": []}"));
        assertThat(backend.ping()).isEmpty();
        StubLlmServer.Received request = server.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/v1/models");
        assertThat(request.headers().getFirst("Authorization")).isEqualTo("Bearer " + KEY);

        server.answer(Reply.json(401, "{\"error\": {\"message\": \"Incorrect API key\"}}"));
        assertThat(backend.ping())
                .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .contains("HTTP 401")
                .doesNotContain(KEY);

        server.close();
        assertThat(backend.ping())
                .get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("openai is unreachable");
    }

    @Test
    void postsTheChatCompletionAndReadsTheAnswer() throws Exception {
        backend.close();
        backend = backend(new OpenAiSettings(server.baseUrl(), KEY, "gpt-4o-mini", 64, 0.2));
        server.answer(Reply.json(200, COMPLETION));

        BackendOutcome outcome = ask();

        assertThat(outcome)
                .isEqualTo(new BackendOutcome.Completed(
                        "gpt-4o-mini-2024-07-18", "Rayleigh scattering.", new Usage(12, 3, 15)));
        StubLlmServer.Received request = server.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/chat/completions");
        assertThat(request.headers().getFirst("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(request.headers().getFirst("Content-Type")).isEqualTo("application/json");
        assertThat(request.headers().getFirst("X-Request-Id")).isEqualTo("id-1");
        assertThat(request.json()).isEqualTo(Json.mapper().readTree("""
                                {"model": "gpt-4o-mini",
                                 "messages": [{"role": "user", "content": "why is the sky blue"}],
                                 "max_tokens": 64, "temperature": 0.2}
                                """));
    }

    @Test
    void theAsksModelWinsAndOptionalFieldsAreLeftOut() throws Exception {
        backend.close();
        backend = backend(new OpenAiSettings(server.baseUrl(), null, "gpt-4o-mini", null, null));
        server.answer(Reply.json(200, """
                {"choices": [{"message": {"role": "assistant", "content": "hi"}}]}"""));

        BackendOutcome outcome = backend.call(BackendCall.ofPrompt("id-2", "hello", "local-7b"));

        assertThat(outcome).isEqualTo(new BackendOutcome.Completed("local-7b", "hi", Usage.NONE));
        StubLlmServer.Received request = server.only();
        assertThat(request.headers().containsKey("Authorization")).isFalse();
        assertThat(request.json()).isEqualTo(Json.mapper().readTree("""
                                {"model": "local-7b", "messages": [{"role": "user", "content": "hello"}]}
                                """));
    }

    @Test
    void computesTheTotalWhenTheUsageLeavesItOut() throws Exception {
        server.answer(Reply.json(200, """
                {"model": "m", "choices": [{"message": {"content": "a"}}],
                 "usage": {"prompt_tokens": 4, "completion_tokens": 5}}"""));

        assertThat(ask()).isEqualTo(new BackendOutcome.Completed("m", "a", new Usage(4, 5, 9)));
    }

    @Test
    void aRejectedRequestIsPermanentAndCarriesTheProvidersMessage() throws Exception {
        server.answer(Reply.json(400, """
                {"error": {"message": "This model's maximum context length is 128000 tokens.",
                           "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded"}}
                """));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.httpStatus()).isEqualTo(400);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).contains("HTTP 400").contains("maximum context length is 128000 tokens");
    }

    @Test
    void anUnknownModelIsAnInvalidRequestWithATruncatedMessage() throws Exception {
        String longMessage = "The model `nope` does not exist " + "x".repeat(1000) + " " + KEY;
        server.answer(Reply.json(404, "{\"error\": {\"message\": \"" + longMessage + "\"}}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(failed.httpStatus()).isEqualTo(400);
        assertThat(failed.message()).contains("The model `nope` does not exist").hasSizeLessThan(400);
    }

    @Test
    void aProviderMessageQuotingTheKeyIsMasked() throws Exception {
        server.answer(Reply.json(422, "{\"error\": {\"message\": \"bad request for " + KEY + "\"}}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.message()).contains("bad request for ****");
    }

    @Test
    void refusedCredentialsArePermanentAndNeverQuoteTheProvider() throws Exception {
        server.answer(Reply.json(401, """
                {"error": {"message": "Incorrect API key provided: sk-test-****cdef.", "type": "invalid_request_error",
                           "code": "invalid_api_key"}}"""));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.BACKEND_AUTH_FAILED);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).doesNotContain("sk-test");
    }

    @Test
    void rateLimitingIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(Reply.json(429, """
                        {"error": {"message": "Rate limit reached for requests", "type": "requests"}}""").withHeader("Retry-After", "7"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.RATE_LIMITED);
        assertThat(failed.httpStatus()).isEqualTo(429);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(failed.message()).contains("Rate limit reached");
    }

    @Test
    void aServerErrorIsTransient() throws Exception {
        server.answer(Reply.json(500, "{\"error\": {\"message\": \"The server had an error\"}}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isNull();
    }

    @Test
    void anOverloadedServerIsTransientAndHonoursRetryAfter() throws Exception {
        server.answer(new Reply(503, "<html>Service Unavailable</html>", Map.of("Retry-After", "30")));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(failed.message()).isEqualTo("openai failed (HTTP 503)");
    }

    @Test
    void malformedJsonIsAPermanentInvalidResponse() throws Exception {
        server.answer(Reply.json(200, "{\"choices\": [{\"message\": "));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isFalse();
    }

    @Test
    void anAnswerWithoutContentIsAPermanentInvalidResponse() throws Exception {
        server.answer(Reply.json(200, "{\"model\": \"m\", \"choices\": []}"));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).contains("choices[0].message.content");
    }

    @Test
    void aRedirectIsAPermanentInvalidResponse() throws Exception {
        server.answer(new Reply(302, "", Map.of("Location", server.baseUrl() + "/elsewhere")));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_INVALID_RESPONSE);
        assertThat(failed.httpStatus()).isEqualTo(502);
        assertThat(failed.retriable()).isFalse();
        assertThat(failed.message()).isEqualTo("openai answered with unexpected HTTP status 302");
    }

    @Test
    void aRefusedConnectionIsTransientlyUnavailable() throws Exception {
        backend.close();
        backend = backend(new OpenAiSettings(StubLlmServer.refusingBaseUrl(), KEY, "gpt-4o-mini", null, null));

        BackendOutcome.Failed failed = failed(ask());

        assertThat(failed.errorType()).isEqualTo(ErrorType.BACKEND_UNAVAILABLE);
        assertThat(failed.httpStatus()).isEqualTo(503);
        assertThat(failed.retriable()).isTrue();
        assertThat(failed.message()).isEqualTo("openai is unreachable: connection refused");
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

    @Test
    void servesManyConcurrentCalls() throws Exception {
        server.answer(request -> {
            String prompt =
                    request.json().path("messages").path(0).path("content").asText();
            var message = Map.of("content", "re: " + prompt);
            return Reply.json(
                    200,
                    Json.mapper()
                            .writeValueAsString(Map.of("model", "m", "choices", List.of(Map.of("message", message)))));
        });
        List<Future<BackendOutcome>> calls = new ArrayList<>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                String prompt = "prompt " + i;
                calls.add(threads.submit(() -> backend.call(BackendCall.ofPrompt("id", prompt, null))));
            }
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get()).isEqualTo(new BackendOutcome.Completed("m", "re: prompt " + i, Usage.NONE));
        }
    }
}
