package io.askpipe.devstack;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;

/**
 * How the end-to-end tests submit and read asks: ask {@code n} is {@code {"prompt":"ask n"}} under
 * the Idempotency-Key {@code <prefix>-n}. HTTP/1.1, a connection per request in flight: over one
 * HTTP/2 connection the JDK's client itself refuses requests beyond the server's stream limit
 * while the pipeline holds submits back.
 */
final class AskClient {
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI base;
    private final String keyPrefix;
    private final Duration submitTimeout;

    AskClient(URI base, String keyPrefix, Duration submitTimeout) {
        this.base = base;
        this.keyPrefix = keyPrefix;
        this.submitTimeout = submitTimeout;
    }

    /** {@code POST /v1/ask} of ask {@code n} with {@code apiKey}. */
    HttpResponse<String> submit(String apiKey, int n) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(base.resolve("/v1/ask"))
                        .timeout(submitTimeout)
                        .header("Authorization", "Bearer " + apiKey)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", keyPrefix + "-" + n)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"ask " + n + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code GET path} with {@code apiKey}. */
    HttpResponse<String> get(String apiKey, String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(15))
                        .header("Authorization", "Bearer " + apiKey)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static String requestId(HttpResponse<String> response) throws IOException {
        return json(response).get("request_id").asText();
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        return Json.mapper().readTree(response.body());
    }

    /** The asks in the result store's table that are succeeded or failed. */
    static int terminalRows(String jdbcUrl, EmbeddedPostgresServer pg) throws Exception {
        try (var c = DriverManager.getConnection(jdbcUrl, pg.user(), pg.password());
                var rs = c.createStatement()
                        .executeQuery("SELECT count(*) FROM store.asks WHERE status IN ('succeeded','failed')")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
