package io.askpipe.drill.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.askpipe.schemas.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The drill's batch against a stand-in of the Files and Batches API, in OpenAI's wire format. */
class BatchRunTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final Map<String, String> bodies = new ConcurrentHashMap<>();
    /** Answers still to give, by route, before the route answers as the API does. */
    private final Map<String, AtomicInteger> unavailable = new ConcurrentHashMap<>();

    private final AtomicInteger retrieves = new AtomicInteger();
    private volatile int createStatus = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/files", this::files);
        server.createContext("/v1/batches", this::batches);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void uploadsCreatesFollowsTheBatchToItsEndAndDownloadsItsFiles() throws Exception {
        unavailable.put("POST /v1/files", new AtomicInteger(1)); // a 503 first: uploaded again
        unavailable.put("GET /v1/batches/batch_1", new AtomicInteger(1));
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BatchRun run = new BatchRun(
                base(), "ak_test", new BatchInput("t", 3), dir, new PrintStream(printed, true, StandardCharsets.UTF_8));

        Future<Void> task = Executors.newVirtualThreadPerTaskExecutor().submit(run);
        assertThat(run.awaitDone(Duration.ofSeconds(30))).isTrue();
        task.get();

        BatchRun.Outcome outcome = run.outcome();
        assertThat(outcome.problem()).isEmpty();
        assertThat(outcome.state()).hasValueSatisfying(state -> {
            assertThat(state.status()).isEqualTo("completed");
            assertThat(state.ended()).isTrue();
            assertThat(state.total()).isEqualTo(3);
            assertThat(state.completed()).isEqualTo(2);
            assertThat(state.failed()).isEqualTo(1);
            assertThat(state.expiresAtSeconds()).isEqualTo(1_700_086_400L);
        });
        assertThat(outcome.seconds()).isPresent();
        assertThat(outcome.output()).hasValue(dir.resolve("output.jsonl"));
        assertThat(Files.readString(dir.resolve("output.jsonl"))).isEqualTo("content of file-out\n");
        assertThat(outcome.errors()).hasValue(dir.resolve("errors.jsonl"));
        assertThat(Files.readString(dir.resolve("errors.jsonl"))).isEqualTo("content of file-err\n");
        assertThat(calls)
                .startsWith("POST /v1/files", "POST /v1/files", "POST /v1/batches")
                .contains("GET /v1/files/file-out/content", "GET /v1/files/file-err/content");
        assertThat(bodies.get("POST /v1/files"))
                .contains("name=\"purpose\"\r\n\r\nbatch\r\n")
                .contains(new BatchInput("t", 3).line(2) + "\n");
        JsonNode create = Json.mapper().readTree(bodies.get("POST /v1/batches"));
        assertThat(create.path("input_file_id").asText()).isEqualTo("file-in");
        assertThat(create.path("endpoint").asText()).isEqualTo("/v1/chat/completions");
        assertThat(create.path("completion_window").asText()).isEqualTo("24h");
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("drill: batch batch_1 of 3 lines created from file-in")
                .contains("drill: batch batch_1 completed after");
    }

    @Test
    void aCreateRefusedIsTheOutcomesProblemAndEndsTheRun() throws Exception {
        createStatus = 400;
        BatchRun run = new BatchRun(
                base(), "ak_test", new BatchInput("t", 2), dir, new PrintStream(new ByteArrayOutputStream()));

        Executors.newVirtualThreadPerTaskExecutor().submit(run);

        assertThat(run.awaitDone(Duration.ofSeconds(30))).isTrue();
        assertThat(run.outcome().state()).isEmpty();
        assertThat(run.outcome().problem())
                .hasValueSatisfying(problem ->
                        assertThat(problem).contains("create failed").contains("input_file_id is not a batch file"));
        assertThat(calls).containsOnlyOnce("POST /v1/batches");
    }

    @Test
    void eachLineIsAnOpenAiBatchLineWithAPromptOfItsOwn() throws Exception {
        BatchInput input = new BatchInput("s1", 2);

        JsonNode line = Json.mapper().readTree(input.line(1));

        assertThat(line.path("custom_id").asText()).isEqualTo("line-1");
        assertThat(line.path("method").asText()).isEqualTo("POST");
        assertThat(line.path("url").asText()).isEqualTo("/v1/chat/completions");
        assertThat(line.path("body").toString())
                .isEqualTo("{\"messages\":[{\"role\":\"user\",\"content\":\"drill s1 batch line 1\"}]}");
        assertThat(input.promptsByCustomId())
                .containsExactly(
                        Map.entry("line-0", "drill s1 batch line 0"), Map.entry("line-1", "drill s1 batch line 1"));
        assertThat(Files.readAllLines(input.write(dir.resolve("in/input.jsonl"))))
                .containsExactly(input.line(0), input.line(1));
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private boolean unavailable(HttpExchange exchange, String route) throws IOException {
        AtomicInteger left = unavailable.get(route);
        if (left != null && left.getAndDecrement() > 0) {
            reply(exchange, 503, "{\"error\":{\"message\":\"try again\",\"type\":\"server_error\"}}");
            return true;
        }
        return false;
    }

    private void files(HttpExchange exchange) throws IOException {
        String route =
                exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        calls.add(route);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (unavailable(exchange, route)) {
            return;
        }
        if (route.equals("POST /v1/files")) {
            bodies.put(route, body);
            reply(exchange, 200, "{\"id\":\"file-in\",\"object\":\"file\",\"purpose\":\"batch\"}");
        } else if (route.endsWith("/content")) {
            String id = route.split("/")[3];
            reply(exchange, 200, "content of " + id + "\n");
        } else {
            reply(exchange, 404, "{\"error\":{\"message\":\"no such file\"}}");
        }
    }

    private void batches(HttpExchange exchange) throws IOException {
        String route =
                exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
        calls.add(route);
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        if (unavailable(exchange, route)) {
            return;
        }
        if (route.equals("POST /v1/batches")) {
            bodies.put(route, body);
            if (createStatus != 200) {
                reply(exchange, createStatus, "{\"error\":{\"message\":\"input_file_id is not a batch file\"}}");
            } else {
                reply(exchange, 200, batch("validating", 0, 0, 0, null, null));
            }
        } else if (route.equals("GET /v1/batches/batch_1")) {
            int n = retrieves.incrementAndGet();
            reply(
                    exchange,
                    200,
                    n < 3
                            ? batch("in_progress", 3, n - 1, 0, null, null)
                            : batch("completed", 3, 2, 1, "\"file-out\"", "\"file-err\""));
        } else {
            reply(exchange, 404, "{\"error\":{\"message\":\"no such batch\"}}");
        }
    }

    private static String batch(String status, int total, int completed, int failed, String output, String errors) {
        return "{\"id\":\"batch_1\",\"object\":\"batch\",\"endpoint\":\"/v1/chat/completions\",\"status\":\""
                + status + "\",\"input_file_id\":\"file-in\",\"completion_window\":\"24h\","
                + "\"created_at\":1700000000,\"expires_at\":1700086400,\"output_file_id\":" + output
                + ",\"error_file_id\":" + errors + ",\"request_counts\":{\"total\":" + total + ",\"completed\":"
                + completed + ",\"failed\":" + failed + "}}";
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
