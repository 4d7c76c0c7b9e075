package io.askpipe.common.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's own limits: idle connections are closed, connections beyond the limit refused. */
class HttpServersTest {
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Socket> sockets = new ArrayList<>();
    private Vertx vertx;
    private HttpServer server;

    private void start(int idleTimeoutMs, int maxConnections) {
        vertx = Vertx.vertx();
        Router router = HttpServers.baseRouter(vertx);
        server = HttpServers.start(
                vertx,
                router,
                new HttpSettings("127.0.0.1", 0, HttpSettings.DEFAULT_MAX_HEADER_BYTES, idleTimeoutMs, maxConnections),
                meters);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        vertx.close().await();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.setSoTimeout(10_000);
        sockets.add(socket);
        return socket;
    }

    /** Sends a keep-alive {@code GET /healthz}, reads its whole answer and returns the status line. */
    private static String healthz(Socket socket) throws IOException {
        socket.getOutputStream()
                .write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b == -1) {
                return head.toString(); // closed: no answer
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).strip());
            }
        }
        in.readNBytes(length);
        return head.substring(0, head.indexOf("\r\n"));
    }

    /**
     * Whether the server closes {@code socket} within the read timeout: the stream ends, after what
     * was still to read, or the connection is reset.
     */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() != -1) {
                // the rest of an answer
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void closesAConnectionThatStaysIdle() throws IOException {
        start(500, 100);
        Socket idle = connect();
        long started = System.nanoTime();
        assertThat(closedByServer(idle)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("after the idle timeout, well before the read's own 10 s")
                .isBetween(Duration.ofMillis(400), Duration.ofSeconds(8));

        Socket used = connect();
        assertThat(healthz(used)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(closedByServer(used)).as("idle again after its answer").isTrue();
    }

    @Test
    void keepsAConnectionThatIsNotIdle() throws Exception {
        start(1_000, 100);
        Socket busy = connect();
        for (int i = 0; i < 6; i++) {
            assertThat(healthz(busy)).isEqualTo("HTTP/1.1 200 OK");
            Thread.sleep(400);
        }
    }

    @Test
    void refusesConnectionsBeyondTheLimitAndServesThoseWithinIt() throws IOException {
        start(60_000, 2);
        Socket first = connect();
        Socket second = connect();
        assertThat(healthz(first)).isEqualTo("HTTP/1.1 200 OK");
        assertThat(healthz(second)).isEqualTo("HTTP/1.1 200 OK");

        Socket third = connect();
        assertThat(closedByServer(third)).as("over the limit").isTrue();
        assertThat(meters.get("http_server_connections_refused")
                        .functionCounter()
                        .count())
                .isEqualTo(1.0);
        assertThat(meters.get("http_server_connections").gauge().value()).isEqualTo(2.0);
        assertThat(healthz(first)).as("those within it still work").isEqualTo("HTTP/1.1 200 OK");

        first.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.get("http_server_connections").gauge().value() == 1.0);
        Socket fourth = connect();
        assertThat(healthz(fourth)).as("a place freed").isEqualTo("HTTP/1.1 200 OK");
    }
}
