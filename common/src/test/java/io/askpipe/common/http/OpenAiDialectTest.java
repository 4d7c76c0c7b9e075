package io.askpipe.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A route that speaks OpenAI's dialect answers every failure as OpenAI's error object, others as problems. */
class OpenAiDialectTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static WebClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        var router = HttpServers.baseRouter(vertx);
        router.post("/openai/invalid")
                .handler(OpenAiDialect.handler())
                .handler(BodyHandler.create().setBodyLimit(16))
                .handler(ctx -> {
                    throw ProblemException.invalidField("/temperature", "must be at most 2");
                });
        router.get("/openai/unauthorized").handler(OpenAiDialect.handler()).handler(ctx -> {
            throw ProblemException.unauthorized("No API key", false);
        });
        router.get("/openai/unavailable").handler(OpenAiDialect.handler()).handler(ctx -> {
            throw ProblemException.unavailable("broker down", Duration.ofSeconds(3), null);
        });
        router.get("/openai/bug").handler(OpenAiDialect.handler()).handler(ctx -> {
            throw new IllegalStateException("secret internals");
        });
        router.get("/plain").handler(ctx -> {
            throw ProblemException.invalidField("/temperature", "must be at most 2");
        });
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static HttpResponse<Buffer> get(String path) {
        return client.get(server.actualPort(), "127.0.0.1", path).send().await();
    }

    private static JsonNode error(HttpResponse<Buffer> response) throws Exception {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode body = Json.mapper().readTree(response.bodyAsString());
        assertThat(body.properties()).extracting(java.util.Map.Entry::getKey).containsExactly("error");
        return body.get("error");
    }

    @Test
    void aValidationFailureNamesItsFieldAsParam() throws Exception {
        var response = client.post(server.actualPort(), "127.0.0.1", "/openai/invalid")
                .sendBuffer(Buffer.buffer("{}"))
                .await();

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = error(response);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asText()).isEqualTo("validation_failed");
        assertThat(error.get("param").asText()).isEqualTo("/temperature");
        assertThat(error.get("message").asText()).isEqualTo("/temperature must be at most 2");
    }

    @Test
    void aBodyOverTheLimitIsAnErrorObjectToo() throws Exception {
        var response = client.post(server.actualPort(), "127.0.0.1", "/openai/invalid")
                .sendBuffer(Buffer.buffer("{\"prompt\":\"far more than sixteen bytes\"}"))
                .await();

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(error(response).get("code").asText()).isEqualTo("payload_too_large");
    }

    @Test
    void theProblemsHeadersStay() throws Exception {
        var unauthorized = get("/openai/unauthorized");
        assertThat(unauthorized.statusCode()).isEqualTo(401);
        assertThat(unauthorized.getHeader("WWW-Authenticate")).isEqualTo("Bearer realm=\"askpipe\"");
        assertThat(error(unauthorized).get("type").asText()).isEqualTo("authentication_error");
        assertThat(error(unauthorized).get("param").isNull()).isTrue();

        var unavailable = get("/openai/unavailable");
        assertThat(unavailable.statusCode()).isEqualTo(503);
        assertThat(unavailable.getHeader("Retry-After")).isEqualTo("3");
        assertThat(error(unavailable).get("code").asText()).isEqualTo("service_unavailable");
        assertThat(unavailable.getHeader("X-Request-Id")).isNotBlank();
    }

    @Test
    void anUnexpectedFailureTellsNothingOfItsCause() throws Exception {
        var response = get("/openai/bug");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(error(response).get("type").asText()).isEqualTo("server_error");
        assertThat(response.bodyAsString()).doesNotContain("secret internals");
    }

    @Test
    void otherRoutesStillAnswerProblems() {
        var response = get("/plain");

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    }
}
