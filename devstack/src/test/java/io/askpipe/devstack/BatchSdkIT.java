package io.askpipe.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.ObjectMappers;
import com.openai.core.http.Headers;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.batches.Batch;
import com.openai.models.batches.BatchCreateParams;
import com.openai.models.batches.BatchError;
import com.openai.models.batches.BatchListPage;
import com.openai.models.batches.BatchListParams;
import com.openai.models.batches.BatchUsage;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.files.FileCreateParams;
import com.openai.models.files.FileObject;
import com.openai.models.files.FilePurpose;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import com.openai.models.webhooks.WebhookVerificationParams;
import io.askpipe.devstack.LoopbackServer.Reply;
import io.askpipe.devstack.LoopbackServer.Request;
import io.askpipe.embedded.SharedInfrastructure;
import io.askpipe.schemas.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenAI's Files and Batch APIs on the dev stack, driven by the official {@code openai-java} SDK
 * with its base URL on askpipe and the dev key as its API key, through the real router: a batch of
 * dryrun lines, a line answered by a fake OpenAI-compatible provider and one whose backend is not
 * configured runs to {@code completed}, its output file's bodies parse as the SDK's {@link
 * ChatCompletion} and its webhook verifies with the SDK; the SDK's auto-pager walks the batches; a
 * cancel on a slow provider keeps the lines that finished and never calls the queued ones; an
 * invalid file fails with its bad lines named; a short window expires the lines still waiting
 * without calling them. The router has one slot for batch asks, so lines run one at a time.
 */
class BatchSdkIT {
    private static final String PREFIX = SharedInfrastructure.uniqueName("batchsdk") + ".";
    /** How long the fake provider takes over each call of the held model. */
    private static final Duration HOLD = Duration.ofSeconds(2);

    private static final Set<Batch.Status> TERMINAL =
            Set.of(Batch.Status.COMPLETED, Batch.Status.FAILED, Batch.Status.EXPIRED, Batch.Status.CANCELLED);

    @TempDir
    static Path dir;

    private static FakeOpenAiServer openAi;
    private static LoopbackServer receiver;
    private static DevStack stack;
    private static String devKey;
    private static OpenAIClient client;

    @BeforeAll
    static void start() {
        openAi = new FakeOpenAiServer(HOLD);
        receiver = new LoopbackServer(request -> Reply.json(200, "{}"));
        stack = TestStacks.start(
                PREFIX,
                Map.of(
                        "OPENAI_BASE_URL",
                        openAi.baseUrl(),
                        "OPENAI_API_KEY",
                        "sk-test-batches",
                        // one slot for batch asks, one kept for interactive ones: lines run one at a time
                        "ROUTER_MAX_IN_FLIGHT",
                        "2",
                        "BATCH_POLL_INTERVAL_MS",
                        "100",
                        "BATCH_EXPIRY_GRACE",
                        "1s"));
        devKey = stack.issueDevKey().secret();
        client = client(devKey);
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (stack != null) {
            stack.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (openAi != null) {
            openAi.close();
        }
    }

    private static OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(stack.clientUrl() + "/v1")
                .apiKey(apiKey)
                .timeout(Duration.ofSeconds(60))
                .maxRetries(0)
                .build();
    }

    @Test
    void aBatchRunsToCompletedAndItsOutputFileHoldsTheSdksChatCompletions() throws Exception {
        Map<String, String> questions = new LinkedHashMap<>();
        questions.put("q1", "Why is the sky blue?");
        questions.put("q2", "What is a qubit?");
        questions.put("q3", "Name three primes.");
        List<String> lines = new ArrayList<>();
        questions.forEach((id, question) -> lines.add(line(id, chat("dryrun-echo", question))));
        // a vendor's answer: the fake OpenAI-compatible provider cuts an answer of at most 5 tokens
        lines.add(line(
                "vendor",
                chat("gpt-4o-mini", "Describe Lisbon.").put("backend", "openai").put("max_tokens", 3)));
        // a backend that is not configured: the line fails with its status and OpenAI's error object
        lines.add(line("nobackend", chat("llama3.2", "Anyone there?").put("backend", "llama")));
        FileObject input = upload(client, "questions.jsonl", lines);
        assertThat(input.id()).startsWith("file-");
        assertThat(input.purpose()).isEqualTo(FileObject.Purpose.BATCH);
        assertThat(input.filename()).isEqualTo("questions.jsonl");

        Batch created = create(
                client,
                input.id(),
                BatchCreateParams.CompletionWindow._24H,
                params -> params.metadata(BatchCreateParams.Metadata.builder()
                                .putAdditionalProperty("suite", JsonValue.from("sdk"))
                                .build())
                        .putAdditionalBodyProperty("callback_url", JsonValue.from(receiver.baseUrl() + "/batches")));
        assertThat(created.id()).startsWith("batch_");
        assertThat(created.status()).isEqualTo(Batch.Status.VALIDATING);
        assertThat(created.inputFileId()).isEqualTo(input.id());
        assertThat(created.endpoint()).isEqualTo("/v1/chat/completions");
        assertThat(created.completionWindow()).isEqualTo("24h");
        assertThat(created.expiresAt()).contains(created.createdAt() + 24 * 3600);

        Batch done = awaitEnd(client, created.id());

        assertThat(done.status()).isEqualTo(Batch.Status.COMPLETED);
        var counts = done.requestCounts().orElseThrow();
        assertThat(List.of(counts.total(), counts.completed(), counts.failed())).containsExactly(5L, 4L, 1L);
        assertThat(done.inProgressAt()).isPresent();
        assertThat(done.finalizingAt()).isPresent();
        assertThat(done.completedAt())
                .hasValueSatisfying(at -> assertThat(at).isGreaterThanOrEqualTo(created.createdAt()));
        assertThat(done.failedAt()).isEmpty();
        assertThat(done.metadata().orElseThrow()._additionalProperties())
                .containsExactly(Map.entry("suite", JsonValue.from("sdk")));

        FileObject output =
                client.files().retrieve(done.outputFileId().orElseThrow()).validate();
        assertThat(output.purpose()).isEqualTo(FileObject.Purpose.BATCH_OUTPUT);
        List<JsonNode> outputLines = content(client, output.id());
        assertThat(outputLines)
                .extracting(line -> line.get("custom_id").asText())
                .as("one line per success, in the input's order")
                .containsExactly("q1", "q2", "q3", "vendor");
        long inputTokens = 0;
        long outputTokens = 0;
        for (JsonNode line : outputLines) {
            assertThat(line.get("id").asText()).startsWith("batch_req_");
            assertThat(line.get("error").isNull()).isTrue();
            assertThat(line.at("/response/status_code").asInt()).isEqualTo(200);
            assertThat(line.at("/response/request_id").asText()).isNotBlank();
            ChatCompletion completion = ObjectMappers.jsonMapper()
                    .readValue(line.at("/response/body").toString(), ChatCompletion.class)
                    .validate();
            String customId = line.get("custom_id").asText();
            var choice = completion.choices().getFirst();
            if (customId.equals("vendor")) {
                assertThat(choice.message().content()).contains(FakeOpenAiServer.CUT_TEXT);
                assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
                assertThat(completion.systemFingerprint()).contains(FakeOpenAiServer.FINGERPRINT);
            } else {
                assertThat(choice.message().content()).as(customId).contains("[dryrun] " + questions.get(customId));
                assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
            }
            assertThat(completion.id())
                    .isEqualTo("chatcmpl-" + line.at("/response/request_id").asText());
            inputTokens += completion.usage().orElseThrow().promptTokens();
            outputTokens += completion.usage().orElseThrow().completionTokens();
        }
        assertThat(openAi.calls())
                .filteredOn(call -> call.lastUserText().equals("Describe Lisbon."))
                .hasSize(1);

        BatchUsage usage = done.usage().orElseThrow();
        assertThat(usage.inputTokens()).as("summed over the lines").isEqualTo(inputTokens);
        assertThat(usage.outputTokens()).isEqualTo(outputTokens);
        assertThat(usage.totalTokens()).isEqualTo(inputTokens + outputTokens);
        assertThat(usage.inputTokensDetails().cachedTokens()).as("the vendor's").isEqualTo(64);
        assertThat(usage.outputTokensDetails().reasoningTokens()).isEqualTo(12);

        List<JsonNode> errorLines = content(client, done.errorFileId().orElseThrow());
        assertThat(errorLines).hasSize(1);
        JsonNode failed = errorLines.getFirst();
        assertThat(failed.get("custom_id").asText()).isEqualTo("nobackend");
        assertThat(failed.at("/response/status_code").asInt()).isEqualTo(503);
        assertThat(failed.at("/response/body/error/code").asText()).isEqualTo("backend_unavailable");
        assertThat(failed.at("/response/body/error/message").asText()).isNotBlank();
        assertThat(failed.get("error").isNull()).isTrue();

        UnwrapWebhookEvent event = event(done.id());
        var completed = event.asBatchCompleted().validate();
        assertThat(completed.id()).startsWith("evt_");
        assertThat(completed.data().id()).isEqualTo(done.id());
        assertThat(completed.createdAt())
                .isGreaterThanOrEqualTo(done.completedAt().orElseThrow());
    }

    @Test
    void theSdksAutoPagerWalksEveryBatchNewestFirstPageByPage() throws Exception {
        var user = stack.accounts().createUser("pager-" + System.nanoTime());
        OpenAIClient pager = client(stack.accounts().issueKey(user.id()).secret());
        try {
            FileObject input = upload(pager, "one.jsonl", List.of(line("only", chat("dryrun-echo", "page me"))));
            List<String> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(create(pager, input.id(), BatchCreateParams.CompletionWindow._24H, params -> {})
                        .id());
            }

            BatchListPage first =
                    pager.batches().list(BatchListParams.builder().limit(2).build());
            assertThat(first.data()).hasSize(2);
            assertThat(first.hasMore()).contains(true);
            List<String> walked = first.autoPager().stream().map(Batch::id).toList();

            assertThat(walked).as("every batch once, newest first").containsExactlyElementsOf(created.reversed());
            assertThat(client
                            .batches()
                            .list(BatchListParams.builder().limit(100).build())
                            .autoPager()
                            .stream()
                            .map(Batch::id))
                    .as("the dev user's list holds none of another user's batches")
                    .doesNotContainAnyElementsOf(created);
        } finally {
            pager.close();
        }
    }

    @Test
    void aCancelOnASlowProviderKeepsTheLinesThatFinishedAndNeverCallsTheQueuedOnes() throws Exception {
        List<String> ids =
                IntStream.rangeClosed(1, 6).mapToObj(i -> "slow-" + i).toList();
        FileObject input = upload(
                client,
                "slow.jsonl",
                ids.stream()
                        .map(id -> line(
                                id,
                                chat(FakeOpenAiServer.HELD_MODEL, "cancel " + id)
                                        .put("backend", "openai")))
                        .toList());
        Batch created = create(
                client,
                input.id(),
                BatchCreateParams.CompletionWindow._24H,
                params -> params.putAdditionalBodyProperty(
                        "callback_url", JsonValue.from(receiver.baseUrl() + "/cancelled")));
        // the first line answered and the second being called (each takes 2 s)
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> called("cancel ").size() >= 2);

        Batch cancelling = client.batches().cancel(created.id()).validate();
        assertThat(cancelling.status()).isIn(Batch.Status.CANCELLING, Batch.Status.CANCELLED);
        assertThat(cancelling.cancellingAt()).isPresent();
        Batch done = awaitEnd(client, created.id());

        assertThat(done.status()).isEqualTo(Batch.Status.CANCELLED);
        assertThat(done.cancelledAt()).isPresent();
        List<String> finished = content(client, done.outputFileId().orElseThrow()).stream()
                .peek(line -> assertThat(line.at("/response/body/choices/0/message/content")
                                .asText())
                        .isEqualTo(FakeOpenAiServer.ECHO + "cancel "
                                + line.get("custom_id").asText()))
                .map(line -> line.get("custom_id").asText())
                .toList();
        Map<String, String> ended = errorCodes(done.errorFileId().orElseThrow());
        Set<String> called = called("cancel ");

        assertThat(finished).as("the lines finished before the cancel").isNotEmpty();
        assertThat(ended.values()).containsOnly("batch_cancelled");
        assertThat(ended.keySet()).doesNotContainAnyElementsOf(finished);
        assertThat(finished.size() + ended.size()).isEqualTo(ids.size());
        assertThat(called).as("every line that finished was called").containsAll(finished);
        assertThat(called.size())
                .as("besides those, at most the one call running when the cancel came (%s)", called)
                .isLessThanOrEqualTo(finished.size() + 1);
        assertThat(ids.stream().filter(id -> !called.contains(id)))
                .as("the lines still queued")
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(id -> assertThat(ended).containsEntry(id, "batch_cancelled"));
        var counts = done.requestCounts().orElseThrow();
        assertThat(List.of(counts.total(), counts.completed(), counts.failed()))
                .containsExactly(6L, (long) finished.size(), (long) ended.size());
        assertThat(event(done.id()).asBatchCancelled().validate().data().id()).isEqualTo(done.id());
    }

    @Test
    void anInvalidFileFailsTheBatchWithEveryBadLineNamedAndRunsNothing() throws Exception {
        FileObject input = upload(
                client,
                "invalid.jsonl",
                List.of(
                        line("a", chat("dryrun-echo", "fine")),
                        "{\"custom_id\": \"b\", \"method\": \"POST\"",
                        line("c", chat("dryrun-echo", "fine too")),
                        line("d", chat("dryrun-echo", "wrong url")).replace("/v1/chat/completions", "/v1/embeddings"),
                        line("a", chat("dryrun-echo", "the same custom_id again")),
                        line("e", chat("dryrun-echo", "wrong method")).replace("\"POST\"", "\"GET\"")));

        Batch done = awaitEnd(
                client,
                create(client, input.id(), BatchCreateParams.CompletionWindow._24H, params -> {})
                        .id());

        assertThat(done.status()).isEqualTo(Batch.Status.FAILED);
        assertThat(done.failedAt()).isPresent();
        assertThat(done.inProgressAt()).as("never in progress").isEmpty();
        assertThat(done.outputFileId()).isEmpty();
        assertThat(done.errorFileId()).isEmpty();
        List<BatchError> errors = done.errors().orElseThrow().data().orElseThrow();
        assertThat(errors)
                .extracting(
                        error -> error.line().orElseThrow(),
                        error -> error.code().orElseThrow())
                .containsExactly(
                        tuple(2L, "invalid_json_line"),
                        tuple(4L, "url_mismatch"),
                        tuple(5L, "duplicate_custom_id"),
                        tuple(6L, "invalid_method"));
        assertThat(errors).allSatisfy(error -> assertThat(error.message()).isPresent());
        assertThat(done.requestCounts().orElseThrow().completed()).isZero();
        assertThat(openAi.calls()).noneMatch(call -> call.lastUserText().startsWith("fine"));
    }

    @Test
    void aShortWindowExpiresTheLinesStillWaitingAndNoCallStartsAfterIt() throws Exception {
        List<String> ids =
                IntStream.rangeClosed(1, 5).mapToObj(i -> "late-" + i).toList();
        FileObject input = upload(
                client,
                "late.jsonl",
                ids.stream()
                        .map(id -> line(
                                id,
                                chat(FakeOpenAiServer.HELD_MODEL, "expire " + id)
                                        .put("backend", "openai")))
                        .toList());

        Batch created = create(
                client,
                input.id(),
                BatchCreateParams.CompletionWindow.of("3s"),
                params -> params.putAdditionalBodyProperty(
                        "callback_url", JsonValue.from(receiver.baseUrl() + "/expired")));
        // the window's end is the batch's creation, which came before the answer, plus 3 s
        Instant windowEnd = Instant.now().plusSeconds(3);
        assertThat(created.completionWindow()).isEqualTo("3s");
        assertThat(created.expiresAt()).contains(created.createdAt() + 3);
        Batch done = awaitEnd(client, created.id());

        assertThat(done.status()).isEqualTo(Batch.Status.EXPIRED);
        assertThat(done.expiredAt()).isPresent();
        assertThat(openAi.calls())
                .filteredOn(call -> call.lastUserText().startsWith("expire "))
                .as("no call starts after the window")
                .allSatisfy(call -> assertThat(call.at()).isBefore(windowEnd));
        List<String> finished = done.outputFileId()
                .map(id -> content(client, id).stream()
                        .map(line -> line.get("custom_id").asText())
                        .toList())
                .orElse(List.of());
        Map<String, String> ended = errorCodes(done.errorFileId().orElseThrow());
        Set<String> called = called("expire ");
        assertThat(ended.values()).containsOnly("batch_expired");
        assertThat(finished.size() + ended.size()).isEqualTo(ids.size());
        assertThat(ids.stream().filter(id -> !called.contains(id)))
                .as("2 s a call and one at a time: most lines were still waiting when 3 s ended")
                .hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(id -> assertThat(ended).containsEntry(id, "batch_expired"));
        var counts = done.requestCounts().orElseThrow();
        assertThat(List.of(counts.total(), counts.completed(), counts.failed()))
                .containsExactly(5L, (long) finished.size(), (long) ended.size());
        assertThat(event(done.id()).asBatchExpired().validate().data().id()).isEqualTo(done.id());
    }

    @Test
    void refusalsAreTheSdksExceptionsWithOpenAisErrorObject() throws Exception {
        FileObject input = upload(client, "refused.jsonl", List.of(line("x", chat("dryrun-echo", "never run"))));

        assertThatThrownBy(() -> client.batches()
                        .create(BatchCreateParams.builder()
                                .inputFileId(input.id())
                                .endpoint(BatchCreateParams.Endpoint.of("/v1/embeddings"))
                                .completionWindow(BatchCreateParams.CompletionWindow._24H)
                                .build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.param()).contains("endpoint");
                });
        assertThatThrownBy(() -> create(client, input.id(), BatchCreateParams.CompletionWindow.of("8d"), p -> {}))
                .isInstanceOfSatisfying(
                        BadRequestException.class, e -> assertThat(e.param()).contains("completion_window"));
        assertThatThrownBy(() -> create(
                        client,
                        "file-00000000000000000000000000000000",
                        BatchCreateParams.CompletionWindow._24H,
                        p -> {}))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.batches().retrieve("batch_00000000000000000000000000000000"))
                .isInstanceOf(NotFoundException.class);
        var stranger = stack.accounts().createUser("stranger-" + System.nanoTime());
        OpenAIClient other = client(stack.accounts().issueKey(stranger.id()).secret());
        try {
            assertThatThrownBy(() -> create(other, input.id(), BatchCreateParams.CompletionWindow._24H, p -> {}))
                    .as("another user's file")
                    .isInstanceOf(NotFoundException.class);
        } finally {
            other.close();
        }
    }

    /** A line of a batch's input file: {@code body} posted to the chat completions endpoint. */
    private static String line(String customId, ObjectNode body) {
        ObjectNode line = Json.mapper().createObjectNode();
        line.put("custom_id", customId);
        line.put("method", "POST");
        line.put("url", "/v1/chat/completions");
        line.set("body", body);
        return line.toString();
    }

    /** A chat completions body asking {@code model} one {@code question}. */
    private static ObjectNode chat(String model, String question) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("model", model);
        body.putArray("messages").addObject().put("role", "user").put("content", question);
        return body;
    }

    private static FileObject upload(OpenAIClient as, String name, List<String> lines) throws IOException {
        Path file = Files.createDirectories(dir.resolve(String.valueOf(System.nanoTime())))
                .resolve(name);
        Files.write(file, lines);
        return as.files()
                .create(FileCreateParams.builder()
                        .file(file)
                        .purpose(FilePurpose.BATCH)
                        .build())
                .validate();
    }

    private static Batch create(
            OpenAIClient as,
            String fileId,
            BatchCreateParams.CompletionWindow window,
            Consumer<BatchCreateParams.Builder> more) {
        BatchCreateParams.Builder params = BatchCreateParams.builder()
                .inputFileId(fileId)
                .endpoint(BatchCreateParams.Endpoint.V1_CHAT_COMPLETIONS)
                .completionWindow(window);
        more.accept(params);
        return as.batches().create(params.build()).validate();
    }

    /** The batch {@code id} once it ended, retrieved as a client would until then. */
    private static Batch awaitEnd(OpenAIClient as, String id) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> as.batches().retrieve(id).validate(), batch -> TERMINAL.contains(batch.status()));
    }

    /** The lines of the file {@code id}, downloaded with the SDK. */
    private static List<JsonNode> content(OpenAIClient as, String id) {
        try (HttpResponse response = as.files().content(id);
                var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(response.statusCode()).isEqualTo(200);
            List<JsonNode> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(Json.mapper().readTree(line));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The error code of each line of the error file {@code id}, by custom_id; lines without a response only. */
    private static Map<String, String> errorCodes(String id) {
        Map<String, String> codes = new HashMap<>();
        for (JsonNode line : content(client, id)) {
            assertThat(line.get("response").isNull()).as("%s", line).isTrue();
            assertThat(line.at("/error/message").asText()).isNotBlank();
            assertThat(codes.put(
                            line.get("custom_id").asText(),
                            line.at("/error/code").asText()))
                    .as("one line per custom_id")
                    .isNull();
        }
        return codes;
    }

    /** The custom ids whose lines reached the fake provider, told by their question's {@code prefix}. */
    private static Set<String> called(String prefix) {
        return openAi.calls().stream()
                .map(FakeOpenAiServer.Call::lastUserText)
                .filter(text -> text.startsWith(prefix))
                .map(text -> text.substring(prefix.length()))
                .collect(Collectors.toSet());
    }

    /** The webhook of batch {@code id}, once it came, verified and parsed by the SDK with the user's secret. */
    private static UnwrapWebhookEvent event(String id) throws Exception {
        Request hook = await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> receiver.requests().stream()
                                .filter(request -> request.body().contains(id))
                                .toList(),
                        hooks -> !hooks.isEmpty())
                .getFirst();
        Headers.Builder headers = Headers.builder();
        hook.headers().forEach(headers::put);
        return client.webhooks()
                .unwrap(WebhookVerificationParams.builder()
                        .payload(hook.body())
                        .headers(headers.build())
                        .secret(webhookSecret())
                        .build());
    }

    /** The dev user's signing secret, from {@code GET /v1/webhooks/secret}. */
    private static String webhookSecret() throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            var response = http.send(
                    HttpRequest.newBuilder(URI.create(stack.clientUrl() + "/v1/webhooks/secret"))
                            .header("Authorization", "Bearer " + devKey)
                            .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            return Json.mapper().readTree(response.body()).get("secret").asText();
        }
    }
}
