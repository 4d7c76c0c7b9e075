package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ask with {@code expires_after: 1} to a dryrun backend that takes 3 s ends expired through the
 * whole pipeline: its call is cut at the deadline, the store shows and lists it, usage counts it,
 * its webhook says so, and the OpenAI-dialect routes answer it as a 504 {@code deadline_exceeded}.
 */
class DeadlineIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("deadline") + ".";
    private static DevStack stack;
    private static Vertx vertx;
    private static WebClient client;
    private static URI base;
    private static String bearer;

    @BeforeAll
    static void start() {
        stack = TestStacks.start(
                PREFIX,
                Map.of(
                        // well past the asks' one-second deadline
                        "DRYRUN_LATENCY_MS", "3000"));
        base = URI.create(stack.clientUrl());
        bearer = "Bearer " + stack.issueDevKey().secret();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        stack.close();
    }

    private static HttpResponse<Buffer> get(String path) {
        return client.get(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", bearer)
                .send()
                .await();
    }

    private static HttpResponse<Buffer> post(String path, String key, String body) {
        return client.post(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(Buffer.buffer(body))
                .await();
    }

    private static JsonNode json(HttpResponse<Buffer> response) throws Exception {
        return Json.mapper().readTree(response.bodyAsString());
    }

    @Test
    void anAskPastItsDeadlineEndsExpiredWithItsWebhook() throws Exception {
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    bodies.add(body.toString());
                    request.response().setStatusCode(204).end();
                }))
                .listen(0, "127.0.0.1")
                .await();
        try {
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
            var accepted = post(
                    "/v1/ask",
                    "deadline-1",
                    "{\"prompt\":\"too slow\",\"expires_after\":1,\"callback_url\":\"" + callback + "\"}");
            assertThat(accepted.statusCode()).isEqualTo(202);
            String id = json(accepted).get("request_id").asText();

            JsonNode done = await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100))
                    .until(
                            () -> json(get("/v1/ask/" + id)),
                            view -> view.get("status").asText().equals("expired"));

            Instant acceptedAt = Instant.parse(done.get("accepted_at").asText());
            Instant completedAt = Instant.parse(done.get("completed_at").asText());
            assertThat(completedAt)
                    .as("reached at the deadline, not when the 3 s call would have ended")
                    .isBetween(acceptedAt.plusMillis(900), acceptedAt.plusMillis(2900));
            assertThat(done.get("error").get("type").asText()).isEqualTo("deadline_exceeded");
            assertThat(done.get("error").get("http_status").asInt()).isEqualTo(504);
            assertThat(done.get("attempts").asInt())
                    .as("at most the one call that was cut")
                    .isLessThanOrEqualTo(1);
            assertThat(done.get("result").has("answer")).isFalse();

            String body = bodies.poll(30, TimeUnit.SECONDS);
            assertThat(body).as("the webhook arrived").isNotNull();
            JsonNode event = Json.mapper().readTree(body);
            assertThat(event.get("type").asText()).isEqualTo("ask.expired");
            assertThat(event.at("/data/status").asText()).isEqualTo("expired");
            assertThat(event.at("/data/error/type").asText()).isEqualTo("deadline_exceeded");
            try (var schema = DeadlineIT.class.getResourceAsStream("/schemas/webhook-event.schema.json")) {
                assertThat(JsonSchemaFactory.getInstance(
                                        SpecVersion.VersionFlag.V202012,
                                        factory -> factory.schemaMappers(mappers ->
                                                mappers.mapPrefix("https://askpipe.io/schemas/", "classpath:schemas/")))
                                .getSchema(schema)
                                .validate(event))
                        .as("the body matches webhook-event.schema.json")
                        .isEmpty();
            }

            // the other test's ask, of the same user, may be expired too
            JsonNode listed = json(get("/v1/asks?status=expired")).get("data");
            assertThat(listed).extracting(ask -> ask.get("request_id").asText()).contains(id);
            assertThat(listed).extracting(ask -> ask.get("status").asText()).containsOnly("expired");
            assertThat(json(get("/v1/asks?status=succeeded")).get("data")).isEmpty();
            assertThat(json(get("/v1/usage")).at("/asks/expired").asInt()).isPositive();

            var completion = get("/v1/ask/" + id + "/completion");
            assertThat(completion.statusCode()).isEqualTo(504);
            assertThat(json(completion).at("/error/code").asText()).isEqualTo("deadline_exceeded");
            assertThat(json(completion).at("/error/type").asText()).isEqualTo("timeout_error");
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void theDropInRouteAnswersAnExpiredAskAsA504() throws Exception {
        long started = System.nanoTime();
        var response = post(
                "/v1/chat/completions",
                "deadline-2",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"too slow\"}],\"expires_after\":1}");

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(json(response).at("/error/code").asText()).isEqualTo("deadline_exceeded");
        assertThat(response.getHeader("X-Should-Retry")).isEqualTo("false");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }
}
