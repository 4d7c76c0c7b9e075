package io.askpipe.common.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.askpipe.common.config.Env;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthProbeTest {
    private HttpServer server;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        answer("/readyz", 200, "{\"status\":\"UP\"}");
        answer("/healthz", 200, "{\"status\":\"UP\"}");
        answer("/down", 503, "{\"status\":503,\n \"detail\":\"Not ready: database\"}");
        answer("/moved", 302, "");
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aServiceThatAnswers2xxIsHealthy() {
        assertThat(HealthProbe.run(new String[] {"/readyz", port()}, Env.of(Map.of()), out))
                .isZero();
        assertThat(printed()).isEqualTo("200 /readyz {\"status\":\"UP\"}");
    }

    @Test
    void anyOtherStatusIsUnhealthyAndTheAnswerIsPrinted() {
        assertThat(HealthProbe.run(new String[] {"/down", port()}, Env.of(Map.of()), out))
                .isEqualTo(1);
        assertThat(printed()).isEqualTo("503 /down {\"status\":503, \"detail\":\"Not ready: database\"}");

        output.reset();
        assertThat(HealthProbe.run(new String[] {"/moved", port()}, Env.of(Map.of()), out))
                .as("a redirect is not followed")
                .isEqualTo(1);
        assertThat(printed()).startsWith("302 /moved");
    }

    @Test
    void readinessIsAskedOfTheOperationsPortAndLivenessOfTheClientPort() throws IOException {
        String closed = String.valueOf(closedPort());
        assertThat(HealthProbe.run(new String[0], Env.of(Map.of("OPS_PORT", port(), "HTTP_PORT", closed)), out))
                .isZero();
        assertThat(printed()).startsWith("200 /readyz");

        output.reset();
        assertThat(HealthProbe.run(new String[0], Env.of(Map.of("OPS_PORT", closed, "HTTP_PORT", port())), out))
                .as("readiness is not on the client port")
                .isEqualTo(1);

        output.reset();
        assertThat(HealthProbe.run(
                        new String[] {"/healthz"},
                        Env.of(Map.of("HTTP_PORT", port(), "HTTP_HOST", "0.0.0.0", "OPS_PORT", closed)),
                        out))
                .isZero();
    }

    @Test
    void nothingListeningIsUnhealthy() throws IOException {
        int closed = closedPort();
        assertThat(HealthProbe.run(new String[] {"/readyz", String.valueOf(closed)}, Env.of(Map.of()), out))
                .isEqualTo(1);
        assertThat(printed()).contains("ConnectException");
    }

    @Test
    void anAnswerThatTakesTooLongIsUnhealthy() {
        long started = System.nanoTime();
        assertThat(HealthProbe.check(URI.create("http://127.0.0.1:" + port() + "/slow"), Duration.ofMillis(200), out))
                .isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1_500));
        assertThat(printed()).contains("SocketTimeoutException");
    }

    @Test
    void wrongArgumentsAreUnhealthyAndSaySo() {
        assertThat(HealthProbe.run(new String[] {"readyz"}, Env.of(Map.of()), out))
                .isEqualTo(1);
        assertThat(printed()).startsWith("health probe: usage: HealthProbe [PATH [PORT]]");

        output.reset();
        assertThat(HealthProbe.run(new String[] {"/readyz", "http"}, Env.of(Map.of()), out))
                .isEqualTo(1);
        assertThat(printed()).contains("must be an integer");
    }

    @Test
    void theServiceIsReachedOnLoopbackWhenItListensEverywhere() {
        assertThat(HealthProbe.localAddress("0.0.0.0")).isEqualTo("127.0.0.1");
        assertThat(HealthProbe.localAddress("::")).isEqualTo("[::1]");
        assertThat(HealthProbe.localAddress("10.1.2.3")).isEqualTo("10.1.2.3");
        assertThat(HealthProbe.localAddress("fd00::1")).isEqualTo("[fd00::1]");
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String port() {
        return String.valueOf(server.getAddress().getPort());
    }

    private String printed() {
        return output.toString(StandardCharsets.UTF_8).strip();
    }
}
