package io.askpipe.drill.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * The drill's LLM: an OpenAI-compatible Chat Completions endpoint on loopback that answers every
 * call after a fixed delay and records when each call per prompt started, and under which request
 * id (the router's {@code X-Request-Id}), so the report can say how many backend calls each ask
 * cost, whether one started after the ask's deadline or cancel, and whether one prompt was called
 * as two asks. The answer is a function of the prompt alone ({@link #answer}), so two calls for one
 * ask give the same answer: a second distinct result could only come from the pipeline, never from
 * here.
 */
public final class LlmServer implements AutoCloseable {
    static final String MODEL = "drill-model";

    private final HttpServer server;
    private final Duration delay;
    /** When each call started (epoch milliseconds), by prompt. */
    private final Map<String, List<Long>> calls = new ConcurrentHashMap<>();
    /** The request ids each prompt was called under, by prompt. */
    private final Map<String, Set<String>> requestIds = new ConcurrentHashMap<>();

    private LlmServer(HttpServer server, Duration delay) {
        this.server = server;
        this.delay = delay;
    }

    public static LlmServer start(Duration delay) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            LlmServer llm = new LlmServer(server, delay);
            server.createContext("/v1/chat/completions", llm::complete);
            server.createContext("/v1/models", exchange -> reply(exchange, 200, "{\"object\":\"list\",\"data\":[]}"));
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return llm;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the drill's LLM server", e);
        }
    }

    /** The base URL a router's {@code OPENAI_BASE_URL} takes. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** When each call so far started (epoch milliseconds), by prompt. */
    public Map<String, List<Long>> callStartsByPrompt() {
        Map<String, List<Long>> copy = new HashMap<>();
        calls.forEach((prompt, starts) -> {
            synchronized (starts) {
                copy.put(prompt, List.copyOf(starts));
            }
        });
        return copy;
    }

    /** The request ids ({@code X-Request-Id}) each prompt was called under so far, by prompt. */
    public Map<String, Set<String>> requestIdsByPrompt() {
        Map<String, Set<String>> copy = new HashMap<>();
        requestIds.forEach((prompt, ids) -> copy.put(prompt, Set.copyOf(ids)));
        return copy;
    }

    /** What this LLM answers to {@code prompt}, every time. */
    public static String answer(String prompt) {
        return "answer to " + prompt;
    }

    public long totalCalls() {
        return calls.values().stream()
                .mapToLong(starts -> {
                    synchronized (starts) {
                        return starts.size();
                    }
                })
                .sum();
    }

    private void complete(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (var body = exchange.getRequestBody()) {
            request = Json.mapper().readTree(body);
        }
        String prompt = request.path("messages").path(0).path("content").asText();
        List<Long> starts = calls.computeIfAbsent(prompt, p -> new ArrayList<>());
        synchronized (starts) {
            starts.add(System.currentTimeMillis());
        }
        String requestId = exchange.getRequestHeaders().getFirst("X-Request-Id");
        if (requestId != null) {
            requestIds
                    .computeIfAbsent(prompt, p -> ConcurrentHashMap.newKeySet())
                    .add(requestId);
        }
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ObjectNode response = Json.mapper().createObjectNode();
        response.put("id", "chatcmpl-drill");
        response.put("object", "chat.completion");
        response.put("created", System.currentTimeMillis() / 1000);
        response.put("model", MODEL);
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer(prompt));
        choice.put("finish_reason", "stop");
        response.putObject("usage")
                .put("prompt_tokens", 4)
                .put("completion_tokens", 6)
                .put("total_tokens", 10);
        reply(exchange, 200, Json.mapper().writeValueAsString(response));
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
