package io.askpipe.devstack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server on 127.0.0.1 at a free port that records every request and answers it as its
 * handler says: the transport of the fake vendor servers. A handler that throws is a 400 whose
 * message is the exception, so that an ask the vendor could not have read fails with the reason.
 */
final class LoopbackServer implements AutoCloseable {

    /** A request as the server received it; header names in lower case. */
    record Request(String path, Map<String, String> headers, String body) {}

    /** An answer: its status, its JSON body and its headers. */
    record Reply(int status, String body, Map<String, String> headers) {
        static Reply json(int status, String body) {
            return new Reply(status, body, Map.of("content-type", "application/json"));
        }

        Reply withHeader(String name, String value) {
            Map<String, String> all = new HashMap<>(headers);
            all.put(name, value);
            return new Reply(status, body, Map.copyOf(all));
        }
    }

    /** What the server answers a request with. */
    @FunctionalInterface
    interface Handler {
        Reply answer(Request request) throws Exception;
    }

    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Handler handler;

    LoopbackServer(Handler handler) {
        this.handler = handler;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("no loopback server", e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code http://127.0.0.1:PORT}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Every request received so far, in order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body;
            try (InputStream in = exchange.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.getFirst()));
            Request request = new Request(exchange.getRequestURI().getPath(), Map.copyOf(headers), body);
            requests.add(request);
            Reply reply;
            try {
                reply = handler.answer(request);
            } catch (Exception e) {
                String message = e.toString().replace("\\", "\\\\").replace("\"", "\\\"");
                reply = Reply.json(
                        400,
                        "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"" + message.replace("\n", " ")
                                + "\"}}");
            }
            reply.headers()
                    .forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(reply.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
