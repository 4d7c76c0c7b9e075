package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.askpipe.common.http.ProblemType;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real responses of the running stack, validated against docs/openapi.yaml. */
class OpenApiContractIT {
    private static final Path SPEC = Path.of("..", "docs", "openapi.yaml");
    private static DevStack stack;
    private static Vertx vertx;
    private static WebClient client;
    private static URI base;
    private static URI ops;
    private static OpenApiSpec spec;
    private static String bearer;

    @BeforeAll
    static void start() throws Exception {
        String prefix = SharedInfrastructure.uniqueName("openapi") + ".";
        stack = TestStacks.start(prefix, Map.of());
        base = URI.create(stack.clientUrl());
        ops = URI.create(stack.opsUrl());
        bearer = "Bearer " + stack.issueDevKey().secret();
        vertx = Vertx.vertx();
        client = WebClient.create(vertx);
        spec = OpenApiSpec.load(SPEC);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
        stack.close();
    }

    private static HttpResponse<Buffer> send(HttpMethod method, String path, String key, String body) {
        return send(bearer, method, path, key, body);
    }

    private static HttpResponse<Buffer> send(
            String authorization, HttpMethod method, String path, String key, String body) {
        return send(base, authorization, method, path, key, body);
    }

    private static HttpResponse<Buffer> send(
            URI to, String authorization, HttpMethod method, String path, String key, String body) {
        var request = client.request(method, to.getPort(), to.getHost(), path);
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        if (body != null) {
            request.putHeader("Content-Type", "application/json");
        }
        if (key != null) {
            request.putHeader("Idempotency-Key", key);
        }
        return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await();
    }

    /** Validates {@code response} as an answer of {@code operationId}; returns it for more checks. */
    private static HttpResponse<Buffer> conforms(HttpResponse<Buffer> response, String operationId) {
        spec.check(operationId, response.statusCode(), response.getHeader("Content-Type"), response.bodyAsString());
        return response;
    }

    @Test
    void submitAndPollAnswersConformToTheContract() throws Exception {
        var accepted = conforms(send(HttpMethod.POST, "/v1/ask", "contract-1", "{\"prompt\":\"hi\"}"), "submitAsk");
        assertThat(accepted.statusCode()).isEqualTo(202);
        var replay = conforms(send(HttpMethod.POST, "/v1/ask", "contract-1", "{\"prompt\":\"hi\"}"), "submitAsk");
        assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
        String id = Json.mapper()
                .readTree(accepted.bodyAsString())
                .get("request_id")
                .asText();

        var queuedOrDone = conforms(send(HttpMethod.GET, "/v1/ask/" + id, null, null), "getAsk");
        assertThat(queuedOrDone.statusCode()).isIn(200, 404); // the store may not have seen it yet
        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(HttpMethod.GET, "/v1/ask/" + id, null, null)
                        .bodyAsString()
                        .contains("succeeded"));
        conforms(send(HttpMethod.GET, "/v1/ask/" + id, null, null), "getAsk");

        // openai is registered but, without OPENAI_* settings, unavailable
        var failed = send(HttpMethod.POST, "/v1/ask", "contract-2", "{\"prompt\":\"hi\",\"backend\":\"openai\"}");
        String failedId =
                Json.mapper().readTree(failed.bodyAsString()).get("request_id").asText();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(HttpMethod.GET, "/v1/ask/" + failedId, null, null)
                        .bodyAsString()
                        .contains("failed"));
        conforms(send(HttpMethod.GET, "/v1/ask/" + failedId, null, null), "getAsk");
    }

    @Test
    void problemsConformToTheContract() {
        assertThat(conforms(send(HttpMethod.POST, "/v1/ask", "contract-3", "{}"), "submitAsk")
                        .statusCode())
                .isEqualTo(422);
        send(HttpMethod.POST, "/v1/ask", "contract-4", "{\"prompt\":\"one\"}");
        assertThat(conforms(send(HttpMethod.POST, "/v1/ask", "contract-4", "{\"prompt\":\"two\"}"), "submitAsk")
                        .statusCode())
                .isEqualTo(422);
        assertThat(conforms(send(HttpMethod.POST, "/v1/ask", null, "{\"prompt\":"), "submitAsk")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(
                                send(
                                        HttpMethod.POST,
                                        "/v1/ask",
                                        "contract-5",
                                        "{\"prompt\":\"hi\",\"backend\":\"nosuch\"}"),
                                "submitAsk")
                        .statusCode())
                .isEqualTo(422);
        assertThat(conforms(send(HttpMethod.GET, "/v1/ask/00000000-0000-7000-8000-000000000000", null, null), "getAsk")
                        .statusCode())
                .isEqualTo(404);
    }

    @Test
    void webhookRoutesConformToTheContract() throws Exception {
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.response().setStatusCode(500).end())
                .listen(0, "127.0.0.1")
                .await();
        try {
            String body = "{\"prompt\":\"hook\",\"callback_url\":\"http://127.0.0.1:" + receiver.actualPort() + "/h\"}";
            String id = Json.mapper()
                    .readTree(send(HttpMethod.POST, "/v1/ask", "contract-hook", body)
                            .bodyAsString())
                    .get("request_id")
                    .asText();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> send(HttpMethod.GET, "/v1/ask/" + id + "/webhook", null, null)
                            .bodyAsString()
                            .contains("\"status_code\":500"));
            assertThat(conforms(send(HttpMethod.GET, "/v1/ask/" + id + "/webhook", null, null), "getWebhookDelivery")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(conforms(send(HttpMethod.POST, "/v1/ask/" + id + "/webhook/resend", null, null), "resendWebhook")
                            .statusCode())
                    .isEqualTo(202);
            String unknown = "/v1/ask/" + java.util.UUID.randomUUID() + "/webhook";
            assertThat(conforms(send(HttpMethod.GET, unknown, null, null), "getWebhookDelivery")
                            .statusCode())
                    .isEqualTo(404);
            assertThat(conforms(send(HttpMethod.GET, "/v1/webhooks/secret", null, null), "getWebhookSecret")
                            .statusCode())
                    .isEqualTo(200);
            assertThat(conforms(send(HttpMethod.POST, "/v1/webhooks/secret/rotate", null, null), "rotateWebhookSecret")
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void usageConformsToTheContract() {
        assertThat(conforms(send(HttpMethod.GET, "/v1/usage", null, null), "getUsage")
                        .statusCode())
                .isEqualTo(200);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/usage", null, null), "getUsage")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void listingConformsToTheContract() {
        send(HttpMethod.POST, "/v1/ask", "contract-list", "{\"prompt\":\"list me\"}");
        assertThat(conforms(send(HttpMethod.GET, "/v1/asks?limit=1", null, null), "listAsks")
                        .statusCode())
                .isEqualTo(200);
        assertThat(conforms(send(HttpMethod.GET, "/v1/asks?limit=1000", null, null), "listAsks")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/asks", null, null), "listAsks")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void aChatAskWithMetadataConformsToTheContractAndItsMetadataFiltersTheList() throws Exception {
        String label = "contract-" + System.nanoTime();
        String body = """
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
                 "temperature": 0.2, "stop": "END", "metadata": {"suite": "%s", "kind": "chat"}}""".formatted(label);
        var accepted = conforms(send(HttpMethod.POST, "/v1/ask", "contract-chat", body), "submitAsk");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = Json.mapper()
                .readTree(accepted.bodyAsString())
                .get("request_id")
                .asText();
        send(HttpMethod.POST, "/v1/ask", "contract-chat-other", "{\"prompt\":\"unlabelled\"}");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(HttpMethod.GET, "/v1/ask/" + id, null, null)
                        .bodyAsString()
                        .contains("succeeded"));
        var ask = conforms(send(HttpMethod.GET, "/v1/ask/" + id, null, null), "getAsk");
        assertThat(Json.mapper()
                        .readTree(ask.bodyAsString())
                        .at("/metadata/suite")
                        .asText())
                .isEqualTo(label);
        var listed = conforms(
                send(HttpMethod.GET, "/v1/asks?metadata.suite=" + label + "&metadata.kind=chat", null, null),
                "listAsks");
        assertThat(Json.mapper().readTree(listed.bodyAsString()).get("data"))
                .extracting(node -> node.get("request_id").asText())
                .containsExactly(id);
        assertThat(conforms(send(HttpMethod.GET, "/v1/asks?metadata.kind=a&metadata.kind=b", null, null), "listAsks")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(
                                send(
                                        HttpMethod.POST,
                                        "/v1/ask",
                                        "contract-chat-bad",
                                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}"),
                                "submitAsk")
                        .statusCode())
                .isEqualTo(422);
    }

    @Test
    void theDropInRouteAnswersConformToTheContract() throws Exception {
        String body = """
                {"backend": "dryrun",
                 "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]}""";
        var completion = conforms(
                send(HttpMethod.POST, "/v1/chat/completions", "contract-dropin", body), "createChatCompletion");
        assertThat(completion.statusCode()).isEqualTo(200);
        assertThat(completion.getHeader("Content-Type")).isEqualTo("application/json");
        String askId = completion.getHeader("Askpipe-Ask-Id");
        assertThat(askId).isNotBlank();
        assertThat(completion.getHeader("Idempotency-Key")).isEqualTo("contract-dropin");
        assertThat(Json.mapper().readTree(completion.bodyAsString()).get("id").asText())
                .isEqualTo("chatcmpl-" + askId);

        String tool = """
                {"backend": "dryrun", "messages": [{"role": "user", "content": "Weather in Paris?"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather",
                   "parameters": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}}}}],
                 "tool_choice": "required"}""";
        var toolCall = conforms(
                send(HttpMethod.POST, "/v1/chat/completions", "contract-dropin-tool", tool), "createChatCompletion");
        assertThat(toolCall.statusCode()).isEqualTo(200);
        assertThat(Json.mapper()
                        .readTree(toolCall.bodyAsString())
                        .at("/choices/0/finish_reason")
                        .asText())
                .isEqualTo("tool_calls");

        var invalid = conforms(
                send(
                        HttpMethod.POST,
                        "/v1/chat/completions",
                        "contract-dropin-bad",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"n\":2}"),
                "createChatCompletion");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(Json.mapper()
                        .readTree(invalid.bodyAsString())
                        .at("/error/param")
                        .asText())
                .isEqualTo("/n");

        // openai is registered but, without OPENAI_* settings, unavailable: the ask fails
        var failed = conforms(
                send(
                        HttpMethod.POST,
                        "/v1/chat/completions",
                        "contract-dropin-failed",
                        "{\"prompt\":\"hi\",\"backend\":\"openai\"}"),
                "createChatCompletion");
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(Json.mapper()
                        .readTree(failed.bodyAsString())
                        .at("/error/code")
                        .asText())
                .isEqualTo("backend_unavailable");

        assertThat(conforms(send(null, HttpMethod.POST, "/v1/chat/completions", null, body), "createChatCompletion")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void theCompletionRouteAnswersConformToTheContract() throws Exception {
        var accepted = send(HttpMethod.POST, "/v1/ask", "contract-completion", "{\"prompt\":\"complete me\"}");
        String id = Json.mapper()
                .readTree(accepted.bodyAsString())
                .get("request_id")
                .asText();
        // right after the 202 the store has not seen the ask, or has it queued
        var early = conforms(send(HttpMethod.GET, "/v1/ask/" + id + "/completion", null, null), "getAskCompletion");
        assertThat(early.statusCode()).isIn(404, 409);
        if (early.statusCode() == 409) {
            assertThat(early.getHeader("Retry-After")).isNotBlank();
        }

        var done =
                conforms(send(HttpMethod.GET, "/v1/ask/" + id + "/completion?wait=10", null, null), "getAskCompletion");
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(done.bodyAsString()).get("id").asText())
                .isEqualTo("chatcmpl-" + id);

        var failed = send(
                HttpMethod.POST, "/v1/ask", "contract-completion-failed", "{\"prompt\":\"hi\",\"backend\":\"openai\"}");
        String failedId =
                Json.mapper().readTree(failed.bodyAsString()).get("request_id").asText();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> send(HttpMethod.GET, "/v1/ask/" + failedId, null, null)
                        .bodyAsString()
                        .contains("failed"));
        assertThat(conforms(send(HttpMethod.GET, "/v1/ask/" + failedId + "/completion", null, null), "getAskCompletion")
                        .statusCode())
                .isEqualTo(503);

        String unknown = "/v1/ask/" + java.util.UUID.randomUUID() + "/completion";
        assertThat(conforms(send(HttpMethod.GET, unknown, null, null), "getAskCompletion")
                        .statusCode())
                .isEqualTo(404);
        assertThat(conforms(
                                send(HttpMethod.GET, "/v1/ask/" + id + "/completion?wait=99", null, null),
                                "getAskCompletion")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/ask/" + id + "/completion", null, null), "getAskCompletion")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void authenticationProblemsConformToTheContract() {
        String body = "{\"prompt\":\"hi\"}";
        assertThat(conforms(send(null, HttpMethod.POST, "/v1/ask", "contract-5", body), "submitAsk")
                        .statusCode())
                .isEqualTo(401);
        assertThat(conforms(
                                send(
                                        "Bearer ak_nope",
                                        HttpMethod.GET,
                                        "/v1/ask/" + java.util.UUID.randomUUID(),
                                        null,
                                        null),
                                "getAsk")
                        .statusCode())
                .isEqualTo(401);

        var accounts = stack.accounts();
        var user = accounts.createUser("disabled-" + System.nanoTime());
        String disabled = "Bearer " + accounts.issueKey(user.id()).secret();
        accounts.setDisabled(user.id(), true);
        assertThat(conforms(send(disabled, HttpMethod.POST, "/v1/ask", "contract-6", body), "submitAsk")
                        .statusCode())
                .isEqualTo(403);
        assertThat(conforms(send(disabled, HttpMethod.GET, "/v1/usage", null, null), "getUsage")
                        .statusCode())
                .isEqualTo(403);
    }

    @Test
    void operationalEndpointsConformToTheContract() {
        assertThat(conforms(send(HttpMethod.GET, "/health", null, null), "health")
                        .statusCode())
                .isEqualTo(200);
        assertThat(conforms(operations("/metrics"), "metrics").statusCode()).isEqualTo(200);
        assertThat(conforms(operations("/observability"), "observability").statusCode())
                .isEqualTo(200);
        assertThat(conforms(send(HttpMethod.GET, "/healthz", null, null), "healthz")
                        .statusCode())
                .isEqualTo(200);
        assertThat(conforms(operations("/healthz"), "healthz").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> operations("/readyz").statusCode() == 200);
        conforms(operations("/readyz"), "readyz");
    }

    @Test
    void theClientPortServesNoOperationsEndpoint() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> operations("/readyz").statusCode() == 200);
        for (String internal : List.of("/metrics", "/observability", "/readyz")) {
            for (String authorization : java.util.Arrays.asList(null, bearer)) {
                HttpResponse<Buffer> response = send(authorization, HttpMethod.GET, internal, null, null);
                assertThat(response.statusCode()).as(internal).isEqualTo(404);
                assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
                assertThat(response.bodyAsString()).as(internal).doesNotContain("checks", "jvm_", "windows", "ingest.");
            }
        }
        // the contract says where they are: a port of their own
        String contract = Files.readString(SPEC);
        for (String path : List.of("/metrics", "/observability", "/readyz")) {
            java.util.regex.Matcher item = java.util.regex.Pattern.compile(
                            "(?ms)^  " + java.util.regex.Pattern.quote(path) + ":\n(.*?)(?=^  \\S|^\\S)")
                    .matcher(contract);
            assertThat(item.find()).as(path).isTrue();
            assertThat(item.group(1)).as(path).contains("servers:", "{opsPort}");
        }
    }

    private static HttpResponse<Buffer> operations(String path) {
        return send(ops, null, HttpMethod.GET, path, null, null);
    }

    @Test
    void filesAnswersConformToTheContract() throws Exception {
        var uploaded = conforms(upload(bearer, "batch", "contract.jsonl", batchLines("f1")), "uploadFile");
        assertThat(uploaded.statusCode()).isEqualTo(200);
        String id = Json.mapper().readTree(uploaded.bodyAsString()).get("id").asText();
        String other = Json.mapper()
                .readTree(
                        upload(bearer, "batch", "other.jsonl", batchLines("f2")).bodyAsString())
                .get("id")
                .asText();

        assertThat(conforms(send(HttpMethod.GET, "/v1/files/" + id, null, null), "retrieveFile")
                        .statusCode())
                .isEqualTo(200);
        var page = conforms(send(HttpMethod.GET, "/v1/files?limit=1", null, null), "listFiles");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(Json.mapper().readTree(page.bodyAsString()).get("has_more").asBoolean())
                .isTrue();
        assertThat(conforms(send(HttpMethod.GET, "/v1/files?purpose=batch&order=asc", null, null), "listFiles")
                        .statusCode())
                .isEqualTo(200);
        var content = conforms(send(HttpMethod.GET, "/v1/files/" + id + "/content", null, null), "downloadFile");
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.bodyAsString()).isEqualTo(batchLines("f1"));
        assertThat(conforms(send(HttpMethod.DELETE, "/v1/files/" + other, null, null), "deleteFile")
                        .statusCode())
                .isEqualTo(200);

        String unknown = "/v1/files/file-00000000000000000000000000000000";
        assertThat(conforms(send(HttpMethod.GET, unknown, null, null), "retrieveFile")
                        .statusCode())
                .isEqualTo(404);
        assertThat(conforms(send(HttpMethod.GET, unknown + "/content", null, null), "downloadFile")
                        .statusCode())
                .isEqualTo(404);
        assertThat(conforms(send(HttpMethod.DELETE, "/v1/files/" + other, null, null), "deleteFile")
                        .statusCode())
                .as("deleted already")
                .isEqualTo(404);
        var wrongPurpose = conforms(upload(bearer, "fine-tune", "contract.jsonl", batchLines("f3")), "uploadFile");
        assertThat(wrongPurpose.statusCode()).isEqualTo(400);
        assertThat(Json.mapper()
                        .readTree(wrongPurpose.bodyAsString())
                        .at("/error/param")
                        .asText())
                .isEqualTo("purpose");
        assertThat(conforms(send(HttpMethod.GET, "/v1/files?limit=0", null, null), "listFiles")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(send(HttpMethod.GET, "/v1/files?order=sideways", null, null), "listFiles")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(upload(null, "batch", "contract.jsonl", batchLines("f4")), "uploadFile")
                        .statusCode())
                .isEqualTo(401);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/files", null, null), "listFiles")
                        .statusCode())
                .isEqualTo(401);
    }

    @Test
    void batchAnswersConformToTheContractInEveryStatusTheyReach() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        var receiver = vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> {
                    events.add(body.toString());
                    request.response().setStatusCode(204).end();
                }))
                .listen(0, "127.0.0.1")
                .await();
        try {
            String input = fileId(upload(bearer, "batch", "batch.jsonl", batchLines("b1", "b2")));
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/batches";
            var created =
                    conforms(send(HttpMethod.POST, "/v1/batches", null, """
                            {"input_file_id": "%s", "endpoint": "/v1/chat/completions", "completion_window": "24h",
                             "metadata": {"suite": "contract"}, "callback_url": "%s",
                             "output_expires_after": {"anchor": "created_at", "seconds": 3600}}""".formatted(input, callback)), "createBatch");
            assertThat(created.statusCode()).isEqualTo(200);
            assertThat(status(created)).isEqualTo("validating");
            String completed =
                    Json.mapper().readTree(created.bodyAsString()).get("id").asText();
            assertThat(status(conforms(awaitEnd(completed), "retrieveBatch"))).isEqualTo("completed");
            String event = events.poll(30, TimeUnit.SECONDS);
            assertThat(event).as("the batch's webhook").isNotNull();
            spec.checkSchema("BatchWebhookEvent", event);

            String invalid = fileId(upload(bearer, "batch", "invalid.jsonl", "{\"custom_id\": \"x\"}\n"));
            String failed = batchId(createBatch(invalid));
            var failedBatch = conforms(awaitEnd(failed), "retrieveBatch");
            assertThat(status(failedBatch)).isEqualTo("failed");
            assertThat(Json.mapper()
                            .readTree(failedBatch.bodyAsString())
                            .at("/errors/data/0/line")
                            .asInt())
                    .isEqualTo(1);

            String cancelled = batchId(createBatch(input));
            var cancelling =
                    conforms(send(HttpMethod.POST, "/v1/batches/" + cancelled + "/cancel", null, null), "cancelBatch");
            assertThat(status(cancelling)).isIn("cancelling", "cancelled");
            assertThat(status(conforms(awaitEnd(cancelled), "retrieveBatch"))).isEqualTo("cancelled");
            assertThat(conforms(
                                    send(HttpMethod.POST, "/v1/batches/" + cancelled + "/cancel", null, null),
                                    "cancelBatch")
                            .statusCode())
                    .as("a batch that ended is answered as it is")
                    .isEqualTo(200);

            var list = conforms(send(HttpMethod.GET, "/v1/batches?limit=2", null, null), "listBatches");
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(Json.mapper()
                            .readTree(list.bodyAsString())
                            .get("has_more")
                            .asBoolean())
                    .isTrue();
            assertThat(conforms(send(HttpMethod.GET, "/v1/batches?after=" + cancelled, null, null), "listBatches")
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            receiver.close().await();
        }
    }

    @Test
    void batchRefusalsConformToTheContract() throws Exception {
        String input = fileId(upload(bearer, "batch", "refusals.jsonl", batchLines("r1")));
        String unknown = "batch_00000000000000000000000000000000";
        var notFound = conforms(send(HttpMethod.GET, "/v1/batches/" + unknown, null, null), "retrieveBatch");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(Json.mapper()
                        .readTree(notFound.bodyAsString())
                        .at("/error/type")
                        .asText())
                .isEqualTo("not_found_error");
        assertThat(conforms(send(HttpMethod.POST, "/v1/batches/" + unknown + "/cancel", null, null), "cancelBatch")
                        .statusCode())
                .isEqualTo(404);
        assertThat(conforms(createBatch("file-00000000000000000000000000000000"), "createBatch")
                        .statusCode())
                .isEqualTo(404);
        var badEndpoint = conforms(
                send(
                        HttpMethod.POST,
                        "/v1/batches",
                        null,
                        "{\"input_file_id\": \"" + input
                                + "\", \"endpoint\": \"/v1/embeddings\", \"completion_window\": \"24h\"}"),
                "createBatch");
        assertThat(badEndpoint.statusCode()).isEqualTo(400);
        assertThat(Json.mapper()
                        .readTree(badEndpoint.bodyAsString())
                        .at("/error/param")
                        .asText())
                .isEqualTo("endpoint");
        assertThat(conforms(send(HttpMethod.POST, "/v1/batches", null, "{\"endpoint\": 1"), "createBatch")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(send(HttpMethod.GET, "/v1/batches?limit=1000", null, null), "listBatches")
                        .statusCode())
                .isEqualTo(400);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/batches", null, null), "listBatches")
                        .statusCode())
                .isEqualTo(401);
        assertThat(conforms(send(null, HttpMethod.GET, "/v1/batches/" + unknown, null, null), "retrieveBatch")
                        .statusCode())
                .isEqualTo(401);
    }

    /** A batch input file of one dryrun line per custom id. */
    private static String batchLines(String... customIds) {
        StringBuilder lines = new StringBuilder();
        for (String customId : customIds) {
            lines.append("{\"custom_id\": \"")
                    .append(customId)
                    .append("\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", ")
                    .append("\"body\": {\"model\": \"dryrun-echo\", \"messages\": [{\"role\": \"user\", ")
                    .append("\"content\": \"contract\"}]}}\n");
        }
        return lines.toString();
    }

    private static HttpResponse<Buffer> upload(String authorization, String purpose, String name, String content) {
        var request = client.post(base.getPort(), base.getHost(), "/v1/files");
        if (authorization != null) {
            request.putHeader("Authorization", authorization);
        }
        return request.sendMultipartForm(MultipartForm.create()
                        .attribute("purpose", purpose)
                        .textFileUpload("file", name, Buffer.buffer(content), "application/jsonl"))
                .await();
    }

    private static String fileId(HttpResponse<Buffer> uploaded) throws Exception {
        assertThat(uploaded.statusCode()).as(uploaded.bodyAsString()).isEqualTo(200);
        return Json.mapper().readTree(uploaded.bodyAsString()).get("id").asText();
    }

    private static HttpResponse<Buffer> createBatch(String inputFileId) {
        return send(
                HttpMethod.POST,
                "/v1/batches",
                null,
                "{\"input_file_id\": \"" + inputFileId
                        + "\", \"endpoint\": \"/v1/chat/completions\", \"completion_window\": \"24h\"}");
    }

    private static String batchId(HttpResponse<Buffer> created) throws Exception {
        assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(200);
        return Json.mapper().readTree(created.bodyAsString()).get("id").asText();
    }

    private static String status(HttpResponse<Buffer> batch) {
        try {
            return Json.mapper().readTree(batch.bodyAsString()).path("status").asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The batch {@code id} once it reached a terminal status. */
    private static HttpResponse<Buffer> awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> send(HttpMethod.GET, "/v1/batches/" + id, null, null),
                        response -> List.of("completed", "failed", "expired", "cancelled")
                                .contains(status(response)));
    }

    @Test
    void everyProblemTypeIsInTheContract() throws Exception {
        String spec = Files.readString(SPEC);
        for (ProblemType type : ProblemType.values()) {
            assertThat(spec).as(type.name()).contains(type.uri());
        }
    }
}
