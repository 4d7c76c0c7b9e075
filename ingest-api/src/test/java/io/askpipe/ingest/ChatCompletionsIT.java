package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.auth.IssuedKey;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.schemas.AskError;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.ErrorType;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Priority;
import io.askpipe.schemas.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/chat/completions} on the real broker and database, the test playing the router:
 * it reads the ask off {@code ask.requests} and publishes its result to {@code ask.results}.
 */
class ChatCompletionsIT {
    private static final Duration WAIT = Duration.ofSeconds(3);

    private KafkaSettings kafka;
    private IngestService service;
    private AuthService accounts;
    private IssuedKey key;
    private Vertx vertx;
    private HttpServer server;
    private WebClient client;
    private KafkaConsumer<String, AskRequest> requests;
    private KafkaProducer<String, AskResult> results;

    @BeforeEach
    void start() {
        String name = SharedInfrastructure.uniqueName("completions");
        kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        Duration publishTimeout = Duration.ofSeconds(10);
        IngestConfig config = new IngestConfig(
                kafka,
                database,
                new AuthSettings(Duration.ZERO),
                new HttpSettings("127.0.0.1", 0),
                new OpsSettings("127.0.0.1", 0),
                IngestLimits.DEFAULTS,
                new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                publishTimeout,
                Duration.ofMinutes(5),
                Duration.ofHours(1),
                IngestConfig.DEFAULT_MAX_IN_FLIGHT,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                WAIT,
                IngestConfig.CANCEL_WAIT.defaultValue());
        service = IngestService.start(config, new SimpleMeterRegistry());
        accounts = AuthService.start(database, config.auth());
        key = accounts.accounts()
                .issueKey(accounts.accounts().createUser("alice").id());
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
        client = WebClient.create(vertx);

        var requestTopic = kafka.topics().requests();
        Map<String, Object> consumer = kafka.clientProperties("it-router");
        consumer.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        requests = new KafkaConsumer<>(
                consumer,
                requestTopic.keySerde().deserializer(),
                requestTopic.valueSerde().deserializer());
        requests.subscribe(kafka.topics().allRequestNames());
        var resultTopic = kafka.topics().results();
        results = new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("it-router"),
                resultTopic.keySerde().serializer(),
                resultTopic.valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        vertx.close().await();
        requests.close();
        results.close();
        service.close();
        accounts.close();
    }

    private Future<HttpResponse<Buffer>> post(String idempotencyKey, String body) {
        var request = client.post(server.actualPort(), "127.0.0.1", "/v1/chat/completions")
                .putHeader("Authorization", "Bearer " + key.secret())
                .putHeader("Content-Type", "application/json");
        if (idempotencyKey != null) {
            request.putHeader("Idempotency-Key", idempotencyKey);
        }
        return request.sendBuffer(Buffer.buffer(body));
    }

    /** The next ask on {@code ask.requests} or {@code ask.requests.batch}, as the router would take it. */
    private AskRequest nextAsk() {
        return nextRecord().value();
    }

    private ConsumerRecord<String, AskRequest> nextRecord() {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            for (var record : requests.poll(Duration.ofMillis(200))) {
                return record;
            }
        }
        throw new AssertionError("no ask was published");
    }

    private void publish(AskResult result) throws Exception {
        results.send(new ProducerRecord<>(kafka.topics().results().name(), result.reqId(), result))
                .get();
    }

    private static JsonNode error(HttpResponse<Buffer> response) throws Exception {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        return Json.mapper().readTree(response.bodyAsString()).get("error");
    }

    @Test
    void theAsksResultIsAChatCompletionOpenAisSdkReads() throws Exception {
        var pending = post(null, """
                {"backend": "dryrun", "messages": [{"role": "user", "content": "hello"}]}""");
        AskRequest ask = nextAsk();
        assertThat(ask.chat().lastUserText()).contains("hello");
        Instant done = Instant.parse("2026-11-26T12:00:01Z");
        publish(AskResult.succeeded(
                ask.requestId(), "dryrun", "dryrun-echo", "[dryrun] hello", Usage.of(1, 2), 3, 1, done));

        var response = pending.await();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Askpipe-Ask-Id")).isEqualTo(ask.requestId());
        assertThat(response.getHeader("Idempotency-Key")).isEqualTo(ask.idempotencyKey());
        ChatCompletion completion = ObjectMappers.jsonMapper()
                .readValue(response.bodyAsString(), ChatCompletion.class)
                .validate();
        assertThat(completion.id()).isEqualTo("chatcmpl-" + ask.requestId());
        assertThat(completion.created()).isEqualTo(done.getEpochSecond());
        assertThat(completion.model()).isEqualTo("dryrun-echo");
        assertThat(completion.choices().getFirst().message().content()).contains("[dryrun] hello");
        assertThat(completion.usage().orElseThrow().totalTokens()).isEqualTo(3);
    }

    @Test
    void aFailedAskIsOpenAisErrorObjectWithItsStatus() throws Exception {
        var pending = post("fail-1", "{\"prompt\": \"hello\", \"backend\": \"dryrun\"}");
        AskRequest ask = nextAsk();
        publish(AskResult.failed(
                ask.requestId(),
                "dryrun",
                "dryrun-echo",
                new AskError(ErrorType.RATE_LIMITED, "the vendor's limit"),
                5,
                3,
                Instant.now()));

        var response = pending.await();

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(error(response).get("type").asText()).isEqualTo("rate_limit_error");
        assertThat(error(response).get("code").asText()).isEqualTo("rate_limited");
        assertThat(error(response).get("message").asText()).isEqualTo("the vendor's limit");
        assertThat(response.getHeader("X-Should-Retry"))
                .as("its retries are spent")
                .isEqualTo("false");
    }

    @Test
    void aBatchAskGoesToTheBatchTopicAndABadPriorityIsAnErrorObjectNamingIt() throws Exception {
        var pending = post(null, """
                {"priority": "batch", "messages": [{"role": "user", "content": "later"}]}""");
        var record = nextRecord();
        assertThat(record.topic()).isEqualTo(kafka.topics().batchRequests().name());
        assertThat(record.value().priority()).isEqualTo(Priority.BATCH);
        publish(AskResult.succeeded(
                record.key(), "dryrun", "dryrun-echo", "[dryrun] later", Usage.of(1, 2), 3, 1, Instant.now()));
        assertThat(pending.await().statusCode()).isEqualTo(200);

        var bad = post(null, "{\"priority\": \"soon\", \"prompt\": \"x\"}").await();
        assertThat(bad.statusCode()).isEqualTo(422);
        assertThat(error(bad).get("param").asText()).isEqualTo("/priority");
    }

    @Test
    void aBodyThatDoesNotValidateIsAnErrorObjectNamingTheField() throws Exception {
        var response = post(null, "{\"messages\": [{\"role\": \"user\", \"content\": 42}]}")
                .await();

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(error(response).get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(error(response).get("param").asText()).isEqualTo("/messages/0/content");
        assertThat(error(response).get("code").asText()).isEqualTo("validation_failed");
    }

    @Test
    void aNumberBeyondADoubleIsAnErrorObjectNamingItNotAServerError() throws Exception {
        var response =
                post(null, "{\"prompt\": \"x\", \"extra\": {\"a\": 1e400}}").await();

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(error(response).get("param").asText()).isEqualTo("/extra/a");
    }

    @Test
    void whenTheWaitRunsOutTheAnswerNamesTheAskAndTheSameKeyWaitsForItAgain() throws Exception {
        String body = "{\"prompt\": \"slow\"}";
        var response = post("slow-1", body).await();
        AskRequest ask = nextAsk();

        assertThat(response.statusCode()).isEqualTo(504);
        assertThat(response.getHeader("Askpipe-Ask-Id")).isEqualTo(ask.requestId());
        assertThat(response.getHeader("Location")).isEqualTo("/v1/ask/" + ask.requestId() + "/completion");
        assertThat(response.getHeader("X-Should-Retry")).isEqualTo("false");
        assertThat(error(response).get("code").asText()).isEqualTo("wait_expired");
        assertThat(error(response).get("type").asText()).isEqualTo("timeout_error");
        assertThat(error(response).get("message").asText()).contains(ask.requestId(), "goes on");

        // the result comes while nobody waits: a retry with the key finds it among the recent ones
        publish(AskResult.succeeded(ask.requestId(), "dryrun", "m", "at last", Usage.of(1, 1), 1, 1, Instant.now()));
        Thread.sleep(1_000);
        var retry = post("slow-1", body).await();

        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(Json.mapper()
                        .readTree(retry.bodyAsString())
                        .at("/choices/0/message/content")
                        .asText())
                .isEqualTo("at last");
    }

    @Test
    void aBodyOverTheLimitIsA413ErrorObjectThatSaysTheLimit() throws Exception {
        int limit = IngestLimits.DEFAULTS.maxBodyBytes();
        String body = "{\"prompt\": \"" + "x".repeat(limit) + "\"}";

        var response = post(null, body).await();

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(error(response).get("message").asText()).contains(limit + " bytes");
    }

    @Test
    void withoutAKeyItIsA401ErrorObject() throws Exception {
        var response = client.post(server.actualPort(), "127.0.0.1", "/v1/chat/completions")
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"prompt\": \"hi\"}"))
                .await();

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(error(response).get("type").asText()).isEqualTo("authentication_error");
    }
}
