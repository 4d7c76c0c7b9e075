package io.askpipe.drill.load;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on loopback that answers 204 to every delivery and counts deliveries by their
 * {@code webhook-id}: a receiver deduplicates on that id, so more than one delivery of an id is a
 * duplicate, not a second answer.
 */
public final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/hook", receiver::receive);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.start();
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the drill's webhook receiver", e);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (var body = exchange.getRequestBody()) {
            body.readAllBytes();
        }
        String id = exchange.getRequestHeaders().getFirst("webhook-id");
        if (id != null) {
            deliveries.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    /** Deliveries so far, by webhook id. */
    public Map<String, Integer> deliveries() {
        Map<String, Integer> copy = new HashMap<>();
        deliveries.forEach((id, count) -> copy.put(id, count.get()));
        return copy;
    }

    public int distinct() {
        return deliveries.size();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
