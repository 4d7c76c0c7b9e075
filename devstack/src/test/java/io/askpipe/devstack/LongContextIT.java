package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.askpipe.common.kafka.AskSizes;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topics;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A long-context ask (a 2 MiB prompt, a document to summarize) through the whole pipeline on the
 * default sizes: accepted, published, answered, joined, stored, polled and delivered by webhook;
 * and a body over {@code ASK_MAX_BYTES} refused with a 413 that says the limit.
 */
class LongContextIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("long") + ".";
    private static final int PROMPT_BYTES = 2 * 1024 * 1024;
    private static DevStack stack;
    private static Vertx vertx;
    private static WebClient client;
    private static URI base;
    private static String bearer;

    @BeforeAll
    static void start() {
        // nothing about sizes: the defaults must carry a long-context ask
        stack = TestStacks.start(PREFIX, Map.of("KAFKA_TOPIC_PARTITIONS", "1"));
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

    private static HttpResponse<Buffer> submit(String key, Buffer body) {
        return client.post(base.getPort(), base.getHost(), "/v1/ask")
                .putHeader("Authorization", bearer)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", key)
                .sendBuffer(body)
                .await();
    }

    private static JsonNode get(String path) throws Exception {
        var response = client.get(base.getPort(), base.getHost(), path)
                .putHeader("Authorization", bearer)
                .send()
                .await();
        return Json.mapper().readTree(response.bodyAsString());
    }

    /** A document of {@code bytes} bytes of lines of text, as a client would paste one in. */
    private static String document(int bytes) {
        StringBuilder text = new StringBuilder(bytes);
        for (int line = 1; text.length() < bytes; line++) {
            text.append("Line ")
                    .append(line)
                    .append(": the quick brown fox jumps over the lazy dog, and summarizes it.\n");
        }
        text.setLength(bytes);
        return text.toString();
    }

    @Test
    void aTwoMegabytePromptComesBackThroughPollingAndItsWebhook() throws Exception {
        BlockingQueue<HttpServerRequest> requests = new LinkedBlockingQueue<>();
        BlockingQueue<String> bodies = new LinkedBlockingQueue<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    requests.add(request);
                    bodies.add(body.toString(StandardCharsets.UTF_8));
                    request.response().setStatusCode(204).end();
                }))
                .listen(0, "127.0.0.1")
                .await();
        try {
            String prompt = document(PROMPT_BYTES);
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
            byte[] body = Json.mapper().writeValueAsBytes(Map.of("prompt", prompt, "callback_url", callback));
            assertThat(body.length).isGreaterThan(PROMPT_BYTES);

            var accepted = submit("long-1", Buffer.buffer(body));
            assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
            String id = Json.mapper()
                    .readTree(accepted.bodyAsString())
                    .get("request_id")
                    .asText();

            JsonNode done = await().atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> get("/v1/ask/" + id),
                            view -> view.get("status").asText().equals("succeeded"));
            // the dryrun backend echoes the prompt: the whole document went there and came back
            assertThat(done.get("result").get("answer").asText()).isEqualTo("[dryrun] " + prompt);

            HttpServerRequest request = requests.poll(60, TimeUnit.SECONDS);
            assertThat(request).as("the webhook arrived").isNotNull();
            String event = bodies.take();
            Map<String, List<String>> headers = new HashMap<>();
            request.headers()
                    .forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                            .add(h.getValue()));
            new Webhook(get("/v1/webhooks/secret").get("secret").asText()).verify(event, headers);
            JsonNode data = Json.mapper().readTree(event).get("data");
            assertThat(data.get("request_id").asText()).isEqualTo(id);
            assertThat(data.get("result").get("answer").asText()).isEqualTo("[dryrun] " + prompt);
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void aBodyOverAskMaxBytesIsA413ThatSaysTheLimit() throws Exception {
        int limit = AskSizes.DEFAULTS.askMaxBytes();
        byte[] body = Json.mapper().writeValueAsBytes(Map.of("prompt", document(limit)));

        var refused = submit("long-too-large", Buffer.buffer(body));

        assertThat(refused.statusCode()).isEqualTo(413);
        assertThat(refused.getHeader("Content-Type")).isEqualTo("application/problem+json");
        JsonNode problem = Json.mapper().readTree(refused.bodyAsString());
        assertThat(problem.get("type").asText()).endsWith("/payload-too-large");
        assertThat(problem.get("detail").asText()).contains("limit of " + limit + " bytes");
    }

    @Test
    void everyTopicTakesTheLargestRecordOfAnAsk() throws Exception {
        Topics topics = Topics.withPrefix(PREFIX);
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedInfrastructure.kafka().bootstrapServers()))) {
            List<String> names =
                    new ArrayList<>(topics.all().stream().map(t -> t.name()).toList());
            // the result store joins in PostgreSQL: it makes no topics of its own beside the registry's
            assertThat(admin.listTopics().names().get())
                    .as("internal topics of the result store")
                    .noneMatch(name -> name.startsWith(PREFIX + "store-"));
            for (String name : names) {
                var resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
                var config =
                        admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(Integer.parseInt(config.get("max.message.bytes").value()))
                        .as(name)
                        .isEqualTo(AskSizes.DEFAULTS.recordMaxBytes());
            }
        }
    }
}
