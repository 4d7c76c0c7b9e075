package io.askpipe.store.webhook;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The webhook HTTP client, which connects to the very address the SSRF guard approved and follows
 * no redirect.
 *
 * <p>The request names the callback's host (for {@code Host} and TLS), but Vert.x is told which
 * address to connect to, so a name that resolves differently between the check and the connection
 * cannot reach an internal address. A redirect is an answer like any other: the attempt fails with
 * its status. A response body is discarded. Thread-safe: concurrent attempts share one client.
 */
final class PinnedHttpClient implements AutoCloseable {
    private final Duration timeout;
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Context context;

    /** A client whose exchanges each take at most {@code timeout}, over at most {@code connections}. */
    PinnedHttpClient(Duration timeout, int connections) {
        this.timeout = timeout;
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setConnectTimeout((int) timeout.toMillis())
                        .setForceSni(true)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(connections));
        this.context = vertx.getOrCreateContext();
    }

    /** What a receiver answered: its status, and its {@code Retry-After} header if it sent one. */
    record Reply(int status, Optional<String> retryAfter) {}

    /**
     * POSTs the JSON {@code body} with {@code headers} to {@code uri}, connecting to {@code address}
     * (the one approved for {@code uri}'s host), and waits for the answer. Throws what failed: a
     * refused connection, a reset, a timeout.
     */
    Reply post(URI uri, InetAddress address, SequencedMap<String, String> headers, String body) {
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String host = uri.getHost().startsWith("[")
                ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setURI(path)
                .setSsl(https)
                .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
                .setFollowRedirects(false)
                .setConnectTimeout(timeout.toMillis())
                .setIdleTimeout(timeout.toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.USER_AGENT, "askpipe-webhooks/1");
        headers.forEach(options::putHeader);
        // the exchange runs on the client's event loop: there each step's callback runs as soon as
        // the step completes, before the response's body can arrive and end unobserved (from
        // another thread, Vert.x would hand the callbacks to the event loop as separate tasks)
        Promise<Reply> reply = Promise.promise();
        context.runOnContext(start -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            client.request(options)
                    .compose(request -> {
                        sent.set(request);
                        return request.send(Buffer.buffer(body));
                    })
                    // the body is discarded as it arrives; the timeout bounds how long it may take
                    .compose(response -> response.end()
                            .map(end -> new Reply(
                                    response.statusCode(), Optional.ofNullable(response.getHeader("Retry-After")))))
                    .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .onFailure(e -> {
                        HttpClientRequest request = sent.get();
                        if (request != null) {
                            request.reset();
                        }
                    })
                    .onComplete(reply);
        });
        return reply.future().await();
    }

    @Override
    public void close() {
        vertx.close().await();
    }
}
