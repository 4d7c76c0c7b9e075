package io.askpipe.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileDeleted;
import com.openai.models.files.FileListPage;
import com.openai.models.files.FileListParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.zaxxer.hikari.HikariDataSource;
import io.askpipe.auth.AuthService;
import io.askpipe.auth.AuthSettings;
import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.db.DatabaseSettings;
import io.askpipe.common.http.HttpServers;
import io.askpipe.common.http.HttpSettings;
import io.askpipe.common.kafka.KafkaSettings;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.ingest.api.IngestLimits;
import io.askpipe.ingest.files.FileSettings;
import io.askpipe.schemas.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's Files API on the real HTTP server, database and broker, driven by the official SDK as
 * any OpenAI client would (and by plain HTTP where the SDK cannot send what is tested): a file of
 * several chunks goes up and comes back byte for byte, each user sees only their own, lists page,
 * and what the limits refuse leaves nothing stored.
 */
class FilesIT {
    private static final long MAX_FILE_BYTES = 5L << 20;
    private static final int MAX_LINES = 50_000;
    private static final Duration RETENTION = Duration.ofDays(2);

    private static IngestService service;
    private static AuthService accounts;
    private static HikariDataSource inspection;
    private static Vertx vertx;
    private static HttpServer server;
    private static WebClient http;
    private static String aliceId;
    private static String aliceKey;
    private static OpenAIClient alice;
    private static OpenAIClient bob;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        String name = SharedInfrastructure.uniqueName("files");
        KafkaSettings kafka = KafkaSettings.local(SharedInfrastructure.kafka().bootstrapServers(), name + ".");
        EmbeddedPostgresServer pg = SharedInfrastructure.postgres();
        DatabaseSettings database = new DatabaseSettings(pg.createDatabase(name), pg.user(), pg.password(), 4);
        IngestConfig config = new IngestConfig(
                        kafka,
                        database,
                        // keys cached, and looked up patiently: a loaded machine does not make a test a 503
                        new AuthSettings(Duration.ofMinutes(5), Duration.ofSeconds(30)),
                        new HttpSettings("127.0.0.1", 0),
                        new OpsSettings("127.0.0.1", 0),
                        IngestLimits.DEFAULTS,
                        new CallbackPolicy(true, List.of(), InetAddress::getAllByName),
                        Duration.ofSeconds(10),
                        Duration.ofMinutes(5),
                        Duration.ofHours(1))
                .withFiles(new FileSettings(MAX_FILE_BYTES, MAX_LINES, RETENTION));
        service = IngestService.start(config, new SimpleMeterRegistry());
        accounts = AuthService.start(database, config.auth());
        inspection = database.dataSource("inspection", "ingest", 1);
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        service.mount(router);
        server = HttpServers.start(vertx, router, config.http());
        http = WebClient.create(vertx);
        aliceId = accounts.accounts().createUser("alice").id();
        aliceKey = accounts.accounts().issueKey(aliceId).secret();
        alice = client(aliceKey);
        bob = client(key("bob"));
    }

    @AfterAll
    static void stop() {
        alice.close();
        bob.close();
        vertx.close().await();
        service.close();
        accounts.close();
        inspection.close();
    }

    private static String key(String user) {
        return accounts.accounts()
                .issueKey(accounts.accounts().createUser(user).id())
                .secret();
    }

    /**
     * A client of the caller with {@code key}. It does not check whole answers itself: an empty
     * list's {@code first_id} is {@code null}, as OpenAI answers it, which the SDK's check refuses;
     * the tests check each file object with {@link FileObject#validate()} instead.
     */
    private static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl("http://127.0.0.1:" + server.actualPort() + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(60))
                .build();
    }

    /** A file of {@code count} JSON lines of a batch's input, about 150 bytes each. */
    private static Path batchFile(String name, int count) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            text.append("{\"custom_id\": \"request-")
                    .append(i)
                    .append("\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {\"model\":")
                    .append(" \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}]}}\n");
        }
        return Files.writeString(dir.resolve(name), text);
    }

    /** Uploads {@code file} for a batch; the file object answered is checked as the SDK checks it. */
    private static FileObject upload(OpenAIClient client, Path file) {
        return client.files()
                .create(FileCreateParams.builder()
                        .file(file)
                        .purpose(FilePurpose.BATCH)
                        .build())
                .validate();
    }

    private static String sha256(InputStream in) throws IOException, NoSuchAlgorithmException {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[8192];
        for (int n = in.read(buffer); n != -1; n = in.read(buffer)) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** How many rows of files {@code userId} has in the database, finished or not. */
    private static int storedFiles(String userId) {
        return DSL.using(inspection, SQLDialect.POSTGRES)
                .fetchCount(DSL.table("files"), DSL.field("user_id").eq(userId));
    }

    /** Nothing of an upload stays spooled once it was answered (deleted at once, or soon by Vert.x). */
    private static void assertNothingSpooled() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (var spooled = Files.list(service.files().spool())) {
                assertThat(spooled).isEmpty();
            }
        });
    }

    private static io.vertx.ext.web.client.HttpResponse<Buffer> post(String key, MultipartForm form) {
        var request = http.post(server.actualPort(), "127.0.0.1", "/v1/files");
        if (key != null) {
            request.putHeader("Authorization", "Bearer " + key);
        }
        return request.sendMultipartForm(form).await();
    }

    private static JsonNode error(io.vertx.ext.web.client.HttpResponse<Buffer> response) throws IOException {
        return Json.mapper().readTree(response.bodyAsString()).get("error");
    }

    @Test
    void uploadsAFileOfSeveralChunksAndDownloadsItByteForByte() throws Exception {
        Path source = batchFile("input.jsonl", 25_000);
        long size = Files.size(source);
        assertThat(size).isGreaterThan(3L << 20).isLessThan(MAX_FILE_BYTES);

        FileObject file = upload(alice, source);

        assertThat(file.id()).matches("file-[0-9a-f]{32}");
        assertThat(file._object_()).isEqualTo(JsonValue.from("file"));
        assertThat(file.bytes()).isEqualTo(size);
        assertThat(file.filename()).isEqualTo("input.jsonl");
        assertThat(file.purpose()).isEqualTo(FileObject.Purpose.BATCH);
        assertThat(file.status()).isEqualTo(FileObject.Status.PROCESSED);
        assertThat(Instant.ofEpochSecond(file.createdAt()))
                .isBetween(Instant.now().minusSeconds(60), Instant.now());
        assertThat(file.expiresAt()).contains(file.createdAt() + RETENTION.toSeconds());
        assertThat(alice.files().retrieve(file.id()).validate()).isEqualTo(file);
        try (HttpResponse content = alice.files().content(file.id())) {
            assertThat(content.statusCode()).isEqualTo(200);
            assertThat(content.headers().values("Content-Length")).containsExactly(Long.toString(size));
            assertThat(sha256(content.body())).isEqualTo(sha256(Files.newInputStream(source)));
        }
        assertNothingSpooled();
    }

    @Test
    void answersTheFileObjectAsOpenAiDoesOverPlainHttp() throws Exception {
        FileObject file = upload(alice, batchFile("plain.jsonl", 3));

        var response = http.get(server.actualPort(), "127.0.0.1", "/v1/files/" + file.id())
                .putHeader("Authorization", "Bearer " + aliceKey)
                .send()
                .await();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
        JsonNode json = Json.mapper().readTree(response.bodyAsString());
        assertThat(json.properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder(
                        "id", "object", "bytes", "created_at", "filename", "purpose", "status", "expires_at");
        assertThat(json.get("object").asText()).isEqualTo("file");
        assertThat(json.get("status").asText()).isEqualTo("processed");
        assertThat(json.get("expires_at").asLong()).isEqualTo(file.createdAt() + RETENTION.toSeconds());
    }

    @Test
    void showsNobodyElsesFile() throws Exception {
        FileObject file = upload(alice, batchFile("alices.jsonl", 3));

        assertThatThrownBy(() -> bob.files().retrieve(file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> bob.files().content(file.id()).close()).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> bob.files().delete(file.id())).isInstanceOf(NotFoundException.class);
        assertThat(bob.files().list().data()).extracting(FileObject::id).doesNotContain(file.id());
        assertThat(alice.files().retrieve(file.id()).id()).isEqualTo(file.id());
        assertThatThrownBy(() -> alice.files().retrieve("file-00000000000000000000000000000000"))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> alice.files().retrieve("not-a-file-id")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void listsPageByPageAfterAnIdInEitherOrder() throws Exception {
        String carolKey = key("carol");
        OpenAIClient carol = client(carolKey);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(upload(carol, batchFile("carol-" + i + ".jsonl", 2)).id());
        }
        List<String> ascending = ids.stream().sorted().toList();
        List<String> descending = ascending.reversed();

        FileListPage first = carol.files()
                .list(FileListParams.builder()
                        .limit(2)
                        .order(FileListParams.Order.ASC)
                        .build());
        first.data().forEach(FileObject::validate);
        assertThat(first.data()).extracting(FileObject::id).containsExactlyElementsOf(ascending.subList(0, 2));
        assertThat(first.hasMore()).contains(true);
        FileListPage last = carol.files()
                .list(FileListParams.builder()
                        .limit(2)
                        .order(FileListParams.Order.ASC)
                        .after(ascending.get(3))
                        .build());
        assertThat(last.data()).extracting(FileObject::id).containsExactly(ascending.get(4));
        assertThat(last.hasMore()).contains(false);
        assertThat(carol.files().list().data()).extracting(FileObject::id).containsExactlyElementsOf(descending);
        List<String> paged = new ArrayList<>();
        carol.files()
                .list(FileListParams.builder().limit(2).build())
                .autoPager()
                .forEach(file -> paged.add(file.id()));
        assertThat(paged).containsExactlyElementsOf(descending);
        assertThat(carol.files()
                        .list(FileListParams.builder().purpose("batch_output").build())
                        .data())
                .isEmpty();

        var page = http.get(
                        server.actualPort(),
                        "127.0.0.1",
                        "/v1/files?limit=2&after=" + descending.get(0) + "&purpose=batch")
                .putHeader("Authorization", "Bearer " + carolKey)
                .send()
                .await();
        JsonNode json = Json.mapper().readTree(page.bodyAsString());
        assertThat(json.get("object").asText()).isEqualTo("list");
        assertThat(json.get("first_id").asText()).isEqualTo(descending.get(1));
        assertThat(json.get("last_id").asText()).isEqualTo(descending.get(2));
        assertThat(json.get("has_more").asBoolean()).isTrue();
        carol.close();
    }

    @Test
    void refusesALimitOrAnOrderOutOfRange() throws Exception {
        for (String query : List.of("limit=0", "limit=10001", "limit=many", "order=sideways")) {
            var response = http.get(server.actualPort(), "127.0.0.1", "/v1/files?" + query)
                    .putHeader("Authorization", "Bearer " + aliceKey)
                    .send()
                    .await();

            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(error(response).get("param").asText()).isEqualTo(query.substring(0, query.indexOf('=')));
            assertThat(error(response).get("type").asText()).isEqualTo("invalid_request_error");
        }
    }

    @Test
    void refusesAPurposeOtherThanBatch() throws Exception {
        Path file = batchFile("user-data.jsonl", 3);
        String user = aliceId;
        int before = storedFiles(user);

        assertThatThrownBy(() -> alice.files()
                        .create(FileCreateParams.builder()
                                .file(file)
                                .purpose(FilePurpose.USER_DATA)
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.param()).contains("purpose");
                    assertThat(e.type()).contains("invalid_request_error");
                });
        var missing = post(
                aliceKey,
                MultipartForm.create().textFileUpload("file", "a.jsonl", file.toString(), "application/jsonl"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(error(missing).get("param").asText()).isEqualTo("purpose");
        var noFile = post(aliceKey, MultipartForm.create().attribute("purpose", "batch"));
        assertThat(noFile.statusCode()).isEqualTo(400);
        assertThat(error(noFile).get("param").asText()).isEqualTo("file");
        assertThat(storedFiles(user)).isEqualTo(before);
        assertNothingSpooled();
    }

    @Test
    void refusesAFileOverTheLineLimitAndStoresNothingOfIt() throws Exception {
        String user = aliceId;
        int before = storedFiles(user);
        Path tooMany = Files.writeString(dir.resolve("too-many-lines.jsonl"), "{}\n".repeat(MAX_LINES + 1));

        assertThatThrownBy(() -> upload(alice, tooMany)).isInstanceOfSatisfying(BadRequestException.class, e -> {
            assertThat(e.param()).contains("file");
            assertThat(e.getMessage()).contains("BATCH_MAX_LINES").contains(Integer.toString(MAX_LINES));
        });

        assertThat(storedFiles(user)).isEqualTo(before);
        assertNothingSpooled();
        Path exactly = Files.writeString(dir.resolve("just-enough.jsonl"), "{}\n".repeat(MAX_LINES - 1) + "{}");
        assertThat(upload(alice, exactly).bytes()).isEqualTo(Files.size(exactly));
    }

    @Test
    void refusesAFileOverTheByteLimitAndStoresNothingOfIt() throws Exception {
        String user = aliceId;
        int before = storedFiles(user);
        Path justOver = Files.write(
                dir.resolve("just-over.jsonl"),
                "x".repeat((int) MAX_FILE_BYTES + 1).getBytes(StandardCharsets.US_ASCII));
        Path farOver = Files.write(dir.resolve("far-over.jsonl"), new byte[(int) MAX_FILE_BYTES * 2]);

        for (Path file : List.of(justOver, farOver)) {
            assertThatThrownBy(() -> upload(alice, file))
                    .as(file.getFileName().toString())
                    .isInstanceOfSatisfying(
                            OpenAIServiceException.class,
                            e -> assertThat(e.statusCode()).isEqualTo(413));
        }

        assertThat(storedFiles(user)).isEqualTo(before);
        var response = post(
                aliceKey,
                MultipartForm.create()
                        .attribute("purpose", "batch")
                        .textFileUpload("file", "just-over.jsonl", justOver.toString(), "application/jsonl"));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(error(response).get("param").asText()).isEqualTo("file");
        assertThat(error(response).get("message").asText()).contains("BATCH_MAX_FILE_BYTES");
        assertNothingSpooled();
    }

    @Test
    void deletesAFileForGood() throws Exception {
        FileObject file = upload(alice, batchFile("doomed.jsonl", 3));

        FileDeleted deleted = alice.files().delete(file.id());

        assertThat(deleted.id()).isEqualTo(file.id());
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted._object_()).isEqualTo(JsonValue.from("file"));
        assertThatThrownBy(() -> alice.files().retrieve(file.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> alice.files().content(file.id()).close()).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> alice.files().delete(file.id())).isInstanceOf(NotFoundException.class);
        assertThat(alice.files().list().data()).extracting(FileObject::id).doesNotContain(file.id());
    }

    @Test
    void readsNoUploadOfAnUnauthenticatedCaller() throws Exception {
        Path file = batchFile("anonymous.jsonl", 10_000);
        MultipartForm form = MultipartForm.create()
                .attribute("purpose", "batch")
                .textFileUpload("file", "anonymous.jsonl", file.toString(), "application/jsonl");

        var anonymous = post(null, form);
        var wrongKey = post("ak_" + "A".repeat(43), form);

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(error(anonymous).get("type").asText()).isEqualTo("authentication_error");
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        var after = http.get(server.actualPort(), "127.0.0.1", "/v1/files")
                .putHeader("Authorization", "Bearer " + aliceKey)
                .send()
                .await();
        assertThat(after.statusCode()).isEqualTo(200);
    }

    @Test
    void refusesABodyThatIsNotAForm() throws Exception {
        var response = http.post(server.actualPort(), "127.0.0.1", "/v1/files")
                .putHeader("Authorization", "Bearer " + aliceKey)
                .putHeader("Content-Type", "application/json")
                .sendBuffer(Buffer.buffer("{\"purpose\": \"batch\"}"))
                .await();

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(error(response).get("type").asText()).isEqualTo("invalid_request_error");
    }
}
