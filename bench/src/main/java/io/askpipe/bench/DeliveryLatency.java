package io.askpipe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.devstack.DevStack;
import io.askpipe.embedded.EmbeddedKafka;
import io.askpipe.embedded.EmbeddedPostgresServer;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How soon a client learns that its ask is done, by long-poll and by webhook, measured from the
 * moment the router finished the ask ({@code completed_at} in the result). Runs the whole dev stack
 * in this process on an embedded broker and database (dryrun backend, no latency) and submits ASKS
 * asks one after another, each with a callback to a local receiver; after each submit it long-polls
 * {@code GET /v1/ask/{id}?wait=10}. Between the router's {@code completed_at} and the answer lie
 * the result's publish, the result store's join (its commit interval) and database write, and the
 * PostgreSQL notification that wakes the poll or the webhook dispatcher. Both clocks are this
 * machine's.
 *
 * <p>{@code ./askpipe bench DeliveryLatency [ASKS]}
 */
public final class DeliveryLatency {
    private DeliveryLatency() {}

    public static void main(String[] args) throws Exception {
        int asks = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Vertx vertx = Vertx.vertx();
        Map<String, Instant> arrived = new ConcurrentHashMap<>();
        HttpServer receiver = vertx.createHttpServer()
                .requestHandler(request -> {
                    Instant at = Instant.now();
                    String id = request.getHeader("webhook-id");
                    request.body().onSuccess(body -> {
                        arrived.putIfAbsent(id, at);
                        request.response().setStatusCode(204).end();
                    });
                })
                .listen(0, "127.0.0.1")
                .await();
        try (EmbeddedKafka broker = EmbeddedKafka.temporary().start();
                EmbeddedPostgresServer postgres = EmbeddedPostgresServer.temporary();
                DevStack stack = DevStack.start(
                        Map.of("HTTP_PORT", "0"),
                        broker.bootstrapServers(),
                        postgres.createDatabase("bench"),
                        postgres.user(),
                        postgres.password())) {
            String bearer = "Bearer " + stack.issueDevKey().secret();
            URI base = URI.create(stack.clientUrl());
            String callback = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
            HttpClient http = HttpClient.newHttpClient();

            List<Long> poll = new ArrayList<>();
            List<Long> submitToAnswer = new ArrayList<>();
            Map<String, Instant> completed = new ConcurrentHashMap<>();
            int warmup = Math.min(50, asks / 5);
            for (int i = 0; i < warmup + asks; i++) {
                long started = System.nanoTime();
                HttpResponse<String> accepted = http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/ask"))
                                .header("Authorization", bearer)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"prompt\":\"ask " + i + "\",\"callback_url\":\"" + callback + "\"}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                String id = Json.mapper()
                        .readTree(accepted.body())
                        .get("request_id")
                        .asText();
                HttpResponse<String> answer = http.send(
                        HttpRequest.newBuilder(base.resolve("/v1/ask/" + id + "?wait=10"))
                                .header("Authorization", bearer)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                Instant answeredAt = Instant.now();
                long tookMicros = (System.nanoTime() - started) / 1_000;
                JsonNode view = Json.mapper().readTree(answer.body());
                if (!view.path("status").asText().equals("succeeded")) {
                    throw new IllegalStateException("ask " + i + " not done after 10 s: " + answer.body());
                }
                Instant completedAt = Instant.parse(view.get("completed_at").asText());
                if (i >= warmup) {
                    poll.add(Duration.between(completedAt, answeredAt).toNanos() / 1_000);
                    submitToAnswer.add(tookMicros);
                    completed.put("msg_" + id, completedAt);
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!arrived.keySet().containsAll(completed.keySet()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<Long> webhook = new ArrayList<>();
            completed.forEach((id, at) -> {
                Instant came = arrived.get(id);
                if (came != null) {
                    webhook.add(Duration.between(at, came).toNanos() / 1_000);
                }
            });
            List<Long> stored = new ArrayList<>();
            try (var db = DriverManager.getConnection(postgres.jdbcUrl("bench"), postgres.user(), postgres.password());
                    var query = db.prepareStatement("SELECT request_id, updated_at FROM store.asks")) {
                var rows = query.executeQuery();
                while (rows.next()) {
                    Instant at = completed.get("msg_" + rows.getString(1));
                    if (at != null) {
                        Instant written = rows.getObject(2, java.time.OffsetDateTime.class)
                                .toInstant();
                        stored.add(Duration.between(at, written).toNanos() / 1_000);
                    }
                }
            }
            System.out.printf(
                    "%d asks after %d warm-up, one at a time, dryrun backend without latency%n", asks, warmup);
            System.out.println("| from | to | p50 | p90 | p99 | max |");
            System.out.println("|---|---|---|---|---|---|");
            row("router's completed_at", "result store wrote the result", stored);
            row("router's completed_at", "long-poll answered", poll);
            row("router's completed_at", "webhook received (" + webhook.size() + " of " + asks + ")", webhook);
            row("submit sent", "long-poll answered", submitToAnswer);
        } finally {
            vertx.close().await();
        }
    }

    private static void row(String from, String to, List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        System.out.printf(
                "| %s | %s | %s | %s | %s | %s |%n",
                from, to, ms(sorted, 0.50), ms(sorted, 0.90), ms(sorted, 0.99), ms(sorted, 1.0));
    }

    private static String ms(List<Long> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return "-";
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(quantile * sorted.size()) - 1);
        return String.format("%.1f ms", sorted.get(Math.max(0, index)) / 1000.0);
    }
}
