package io.askpipe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The batch command against a loopback server that answers as askpipe's Files and Batches API
 * does: what it sends (a multipart upload carrying the file's bytes, the create body, the key) and
 * what it makes of the answers (progress, downloads, exit status). The command against the real
 * API runs in the dev stack's tests.
 */
class BatchCommandTest {
    private static final String KEY = "ak_test";
    private static final String INPUT = "{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\","
            + "\"body\":{\"model\":\"dryrun-echo\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}\n";

    @TempDir
    Path dir;

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger polls = new AtomicInteger();
    private volatile String uploaded = "";
    private volatile String created = "";
    private volatile String finalStatus = "completed";
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void submitUploadsCreatesFollowsAndDownloadsBothFiles() throws IOException {
        Path input = Files.writeString(dir.resolve("in.jsonl"), INPUT);

        int status = command().run(List.of("submit", "in.jsonl", "--out", "results"));

        assertThat(status).as(err.toString()).isZero();
        assertThat(uploaded).contains("name=\"purpose\"\r\n\r\nbatch\r\n");
        assertThat(uploaded).contains("filename=\"in.jsonl\"").contains(Files.readString(input));
        assertThat(created)
                .contains("\"input_file_id\":\"file-1\"")
                .contains("\"endpoint\":\"/v1/chat/completions\"")
                .contains("\"completion_window\":\"24h\"");
        assertThat(requests).allMatch(auth -> auth.equals("Bearer " + KEY));
        assertThat(polls.get()).as("followed until terminal").isGreaterThanOrEqualTo(3);
        assertThat(Files.readString(dir.resolve("results/batch_1_output.jsonl")))
                .isEqualTo("output-line\n");
        assertThat(Files.readString(dir.resolve("results/batch_1_errors.jsonl")))
                .isEqualTo("error-line\n");
        assertThat(out.toString())
                .contains("batch batch_1 validating")
                .contains("1/2 (1 completed, 0 failed)")
                .contains("2/2 (1 completed, 1 failed)")
                .contains("batch batch_1 completed: 1 completed, 1 failed of 2");
    }

    @Test
    void aBatchThatDidNotCompleteExitsWithThree() throws IOException {
        Files.writeString(dir.resolve("in.jsonl"), INPUT);
        finalStatus = "expired";

        assertThat(command().run(List.of("submit", "in.jsonl", "--wait"))).isEqualTo(3);
        assertThat(out.toString()).contains("batch batch_1 expired");
    }

    @Test
    void anApiErrorIsReportedWithItsMessage() {
        assertThat(command().run(List.of("status", "batch_missing"))).isEqualTo(1);
        assertThat(err.toString()).contains("404: No batch batch_missing");
    }

    @Test
    void aWrongCommandLineIsTwoWithTheUsage() {
        assertThat(command().run(List.of("submit"))).isEqualTo(2);
        assertThat(command().run(List.of("frobnicate"))).isEqualTo(2);
        assertThat(err.toString()).contains("usage: ./askpipe batch submit");
        assertThat(requests).isEmpty();
    }

    @Test
    void progressRendersCountsOfTheTotal() {
        assertThat(Progress.render("in_progress", 5, 5, 20))
                .isEqualTo("[###############...............]  50%  10/20 (5 completed, 5 failed)  in_progress");
        assertThat(Progress.render("validating", 0, 0, 0)).startsWith("[..............................]   0%  0/0");
    }

    private BatchCommand command() {
        BatchApi api = new BatchApi(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), KEY);
        return new BatchCommand(
                api,
                dir,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                false,
                Duration.ofMillis(10));
    }

    private void answer(HttpExchange exchange) throws IOException {
        requests.add(exchange.getRequestHeaders().getFirst("Authorization"));
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        switch (exchange.getRequestMethod() + " " + path) {
            case "POST /v1/files" -> {
                uploaded = body;
                reply(exchange, 200, "{\"id\":\"file-1\",\"object\":\"file\",\"bytes\":" + INPUT.length() + "}");
            }
            case "POST /v1/batches" -> {
                created = body;
                reply(exchange, 200, batch("validating", 0, 0, 0));
            }
            case "GET /v1/batches/batch_1" -> {
                int poll = polls.incrementAndGet();
                reply(
                        exchange,
                        200,
                        poll == 1
                                ? batch("in_progress", 1, 0, 2)
                                : poll == 2 ? batch("finalizing", 1, 1, 2) : batch(finalStatus, 1, 1, 2));
            }
            case "GET /v1/files/file-out/content" -> reply(exchange, 200, "output-line\n");
            case "GET /v1/files/file-err/content" -> reply(exchange, 200, "error-line\n");
            default ->
                reply(
                        exchange,
                        404,
                        "{\"error\":{\"message\":\"No batch batch_missing\",\"type\":\"invalid_request_error\"}}");
        }
    }

    private String batch(String status, int completed, int failed, int total) {
        boolean terminal = status.equals(finalStatus) && total > 0;
        return "{\"id\":\"batch_1\",\"object\":\"batch\",\"status\":\"" + status + "\",\"created_at\":1,"
                + "\"request_counts\":{\"total\":" + total + ",\"completed\":" + completed + ",\"failed\":" + failed
                + "},\"output_file_id\":" + (terminal ? "\"file-out\"" : "null") + ",\"error_file_id\":"
                + (terminal ? "\"file-err\"" : "null") + "}";
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
