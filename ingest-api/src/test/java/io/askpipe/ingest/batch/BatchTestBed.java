package io.askpipe.ingest.batch;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.callback.Network;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.kafka.TopicProvisioner;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.files.FileService;
import io.askpipe.ingest.files.FileStore;
import io.askpipe.ingest.files.StoredFile;
import io.askpipe.ingest.ledger.PostgresAskLedger;
import io.askpipe.ingest.publish.AskPublisher;
import io.askpipe.ingest.publish.CancelPublisher;
import io.askpipe.ingest.quota.Quotas;
import io.askpipe.ingest.results.ResultGroup;
import io.askpipe.schemas.AskCancel;
import io.askpipe.schemas.AskRequest;
import io.askpipe.schemas.AskResult;
import io.askpipe.schemas.Json;
import io.askpipe.schemas.Topic;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * The batches on the real broker and database with their routes on a real HTTP server, and the
 * test playing the router: it reads the asks off {@code ask.requests.batch} and the cancels off
 * {@code ask.cancels}, and publishes results to {@code ask.results}.
 */
final class BatchTestBed implements AutoCloseable {
    static final String ENDPOINT = "/v1/chat/completions";

    final KafkaSettings kafka;
    final DatabaseSettings database;
    final FileStore files;
    private final FileService fileService;
    final AuthService accounts;
    private final Batches batches;
    /** Settles the lines by their results, as ingest's group of finished asks does. */
    private final ResultGroup finished;

    private final Vertx vertx;
    private final HttpServer server;
    private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();
    private final KafkaProducer<String, AskRequest> asks;
    private final KafkaProducer<String, AskCancel> cancels;
    private final KafkaProducer<String, AskResult> results;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<KafkaConsumer<?, ?>> consumers = new ArrayList<>();

    BatchTestBed(BatchSettings settings, Function<DatabaseSettings, Quotas> quotas) {
        String name = SharedInfrastructure.uniqueName("batches");
        this.kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        TopicProvisioner.ensure(kafka, "it-admin");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        this.database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        database.migrate("it-migrate", PostgresAskLedger.SCHEMA);
        this.fileService = FileService.start(database, PostgresAskLedger.SCHEMA, Clock.systemUTC());
        this.files = fileService.store();
        this.accounts = AuthService.start(database, new AuthSettings(Duration.ZERO));
        this.asks = producer(kafka.topics().requests());
        this.cancels = producer(kafka.topics().cancels());
        this.results = producer(kafka.topics().results());
        CallbackPolicy callbacks =
                new CallbackPolicy(true, List.of(Network.parse("127.0.0.0/8")), InetAddress::getAllByName);
        this.batches = Batches.start(
                settings,
                database,
                PostgresAskLedger.SCHEMA,
                new Batches.Parts(
                        kafka,
                        files,
                        50_000,
                        new AskPublisher(asks, kafka.topics()),
                        new CancelPublisher(cancels, kafka.topics().cancels()),
                        kafka.acknowledgedProducerProperties("it-batch-events"),
                        IngestLimits.DEFAULTS,
                        callbacks,
                        Duration.ofSeconds(10),
                        Clock.systemUTC()));
        this.finished = ResultGroup.start(
                kafka, kafka.topics().results(), "finished", List.of(), "settle batch lines", batches::settle);
        this.vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        batches.routes(quotas.apply(database), blocking).mount(router, accounts.bearerAuth());
        this.server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
    }

    private <V> KafkaProducer<String, V> producer(Topic<String, V> topic) {
        return new KafkaProducer<>(
                kafka.acknowledgedProducerProperties("it-batches"),
                topic.keySerde().serializer(),
                topic.valueSerde().serializer());
    }

    /** A consumer of all of {@code topic} in a group of its own, from its start. */
    <V> KafkaConsumer<String, V> consumer(Topic<String, V> topic) {
        Map<String, Object> props = kafka.clientProperties("it-router");
        props.put(ConsumerConfig.GROUP_ID_CONFIG, SharedInfrastructure.uniqueName("g"));
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        Deserializer<V> values = topic.valueSerde().deserializer();
        KafkaConsumer<String, V> consumer =
                new KafkaConsumer<>(props, topic.keySerde().deserializer(), values);
        consumer.subscribe(List.of(topic.name()));
        consumers.add(consumer);
        return consumer;
    }

    /** Exactly {@code count} records' values of {@code consumer} (more within a short while fail). */
    static <V> List<V> take(KafkaConsumer<String, V> consumer, int count, Duration patience) {
        List<V> taken = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        while (taken.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(record -> taken.add(record.value()));
        }
        if (taken.size() < count) {
            throw new AssertionError("only " + taken.size() + " of " + count + " records came: " + taken);
        }
        return taken;
    }

    /** What {@code consumer} gets within {@code patience}. */
    static <V> List<V> drain(KafkaConsumer<String, V> consumer, Duration patience) {
        List<V> taken = new ArrayList<>();
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100)).forEach(record -> taken.add(record.value()));
        }
        return taken;
    }

    /** Publishes {@code result} to {@code ask.results}, as a router would. */
    void answer(AskResult result) throws Exception {
        results.send(new ProducerRecord<>(kafka.topics().results().name(), result.reqId(), result))
                .get();
    }

    /** A new user's bearer token. */
    String bearer(String name) {
        var user = accounts.accounts().createUser(name);
        return "Bearer " + accounts.accounts().issueKey(user.id()).secret();
    }

    /** The id of {@code name}'s user. */
    String userId(String name) {
        return accounts.accounts().findUserByName(name).orElseThrow().id();
    }

    /** Uploads {@code lines} as {@code user}'s batch file. */
    StoredFile upload(String user, List<String> lines) throws Exception {
        byte[] content = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        return files.create(user, "batch", "input.jsonl", new ByteArrayInputStream(content), Optional.empty());
    }

    /** The content of file {@code id} of {@code user}, line by line. */
    List<String> lines(String user, String id) throws Exception {
        StoredFile file = files.find(user, id).orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (var in = files.open(file)) {
            in.transferTo(bytes);
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** A request line of a batch: {@code content} as its one user message. */
    static String line(String customId, String content) {
        return "{\"custom_id\": \"" + customId + "\", \"method\": \"POST\", \"url\": \"" + ENDPOINT
                + "\", \"body\": {\"backend\": \"dryrun\", \"messages\": [{\"role\": \"user\", \"content\": \""
                + content + "\"}]}}";
    }

    HttpResponse<String> post(String bearer, String path, String body) throws Exception {
        return http.send(
                request(bearer, path)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String bearer, String path) throws Exception {
        return http.send(request(bearer, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String bearer, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                .header("Authorization", bearer)
                .timeout(Duration.ofSeconds(30));
    }

    /** Creates a batch of {@code fileId}; {@code extra} adds members to the body ({@code ", ..."}). */
    JsonNode create(String bearer, String fileId, String window, String extra) throws Exception {
        HttpResponse<String> response = post(
                bearer,
                "/v1/batches",
                "{\"input_file_id\": \"" + fileId + "\", \"endpoint\": \"" + ENDPOINT + "\", \"completion_window\": \""
                        + window + "\"" + extra + "}");
        if (response.statusCode() != 200) {
            throw new AssertionError("create answered " + response.statusCode() + ": " + response.body());
        }
        return Json.mapper().readTree(response.body());
    }

    /** The batch {@code id} once {@code done} holds of it. */
    JsonNode until(String bearer, String id, Function<JsonNode, Boolean> done, Duration patience) {
        return await().atMost(patience)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> Json.mapper()
                                .readTree(get(bearer, "/v1/batches/" + id).body()),
                        done::apply);
    }

    /** The batch {@code id} once it has {@code status}. */
    JsonNode untilStatus(String bearer, String id, String status) {
        return until(bearer, id, batch -> status.equals(batch.path("status").asText()), Duration.ofSeconds(60));
    }

    @Override
    public void close() {
        vertx.close().await();
        finished.close();
        batches.close();
        consumers.forEach(KafkaConsumer::close);
        asks.close();
        cancels.close();
        results.close();
        accounts.close();
        fileService.close();
        blocking.close();
    }
}
