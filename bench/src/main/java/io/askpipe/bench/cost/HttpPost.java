package io.askpipe.bench.cost;

import io.askpipe.bench.load.HelloServer;
import io.askpipe.embedded.FreePorts;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An HTTP request the size of a {@code POST /v1/ask} (the asks' chat body, an {@code
 * Idempotency-Key} and a bearer key) to the hello-world server of the same library and setup as
 * ingest ({@link HelloServer}), from a Vert.x client of keep-alive connections, {@code inFlight}
 * requests at once. Client and server both run in this JVM, so the CPU is both sides'.
 */
final class HttpPost implements Step {
    private static final String BEARER = "Bearer ask_live_" + "7f3a9c21".repeat(5);

    private final Vertx vertx;
    private final HttpServer server;
    private final HttpClientAgent client;
    private final int port;
    private final Buffer body;
    private final int inFlight;

    private HttpPost(Vertx vertx, HttpServer server, int port, byte[] body, int inFlight) {
        this.vertx = vertx;
        this.server = server;
        this.port = port;
        this.body = Buffer.buffer(body);
        this.inFlight = inFlight;
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(inFlight));
    }

    /** Starts the hello-world server and the client; {@code body} is what each request sends. */
    static HttpPost start(byte[] body, int inFlight) {
        Vertx vertx = Vertx.vertx();
        int port = FreePorts.next();
        return new HttpPost(vertx, HelloServer.start(vertx, port), port, body, inFlight);
    }

    @Override
    public Description description() {
        return new Description(
                "10. ingest: HTTP POST /v1/ask-sized request to a hello world (Vert.x)",
                "the client's one round trip: 202 with a request id at once, the answer later",
                "one request, from the send to the whole answer (" + inFlight + " in flight)");
    }

    @Override
    public void run(int first, int count, Timings timings) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(first);
        CountDownLatch done = new CountDownLatch(count);
        AtomicReference<String> failure = new AtomicReference<>();
        Context context = vertx.getOrCreateContext();
        for (int c = 0; c < Math.min(inFlight, count); c++) {
            context.runOnContext(v -> send(next, first + count, done, failure, timings));
        }
        done.await();
        if (failure.get() != null) {
            throw new IllegalStateException("a request failed: " + failure.get());
        }
    }

    /** Sends the next request, and the one after when it is answered, until the run's last. */
    private void send(
            AtomicInteger next, int end, CountDownLatch done, AtomicReference<String> failure, Timings timings) {
        int i = next.getAndIncrement();
        if (i >= end) {
            return;
        }
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost("127.0.0.1")
                .setPort(port)
                .setURI("/hello")
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", String.format("cost-%08d", i))
                .putHeader("Authorization", BEARER);
        long started = System.nanoTime();
        client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(answer -> response.statusCode()))
                .onComplete(answer -> {
                    if (answer.succeeded() && answer.result() == 202) {
                        timings.add(System.nanoTime() - started);
                    } else {
                        failure.compareAndSet(
                                null,
                                answer.succeeded()
                                        ? "HTTP " + answer.result()
                                        : answer.cause().toString());
                    }
                    done.countDown();
                    send(next, end, done, failure, timings);
                });
    }

    @Override
    public String note() {
        return body.length() + " bytes of body a request";
    }

    @Override
    public void close() {
        client.close().await();
        server.close().await();
        vertx.close().await();
    }
}
