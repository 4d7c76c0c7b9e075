package io.askpipe.common.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.service.Metrics;
import io.askpipe.common.service.OpsRouter;
import io.askpipe.common.service.OpsSettings;
import io.askpipe.common.service.Readiness;
import io.askpipe.schemas.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ProblemsTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static HttpServer opsServer;
    private static WebClient client;
    private static final AtomicBoolean consumerAssigned = new AtomicBoolean();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        Readiness readiness = new Readiness()
                .add("database", () -> true)
                .add("consumer", consumerAssigned::get)
                .add("broken", () -> {
                    throw new IllegalStateException("a check that throws counts as down");
                });
        var router = HttpServers.baseRouter(vertx);
        router.post("/echo").handler(BodyHandler.create().setBodyLimit(16)).handler(ctx -> ctx.end("ok"));
        router.post("/limited").handler(BodyLimit.of(16)).handler(ctx -> ctx.end("ok"));
        router.get("/known").handler(ctx -> {
            throw ProblemException.unavailable("broker down", Duration.ofSeconds(3), null);
        });
        router.get("/bug").handler(ctx -> {
            throw new IllegalStateException("secret internals");
        });
        server = HttpServers.start(vertx, router, new HttpSettings("127.0.0.1", 0));
        var ops = OpsRouter.create(vertx, Metrics.prometheus("test"), new Readiness().include("svc", readiness));
        opsServer = HttpServers.start(vertx, ops, new OpsSettings("127.0.0.1", 0).http());
        client = WebClient.create(vertx);
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static HttpResponse<Buffer> send(HttpMethod method, String path, String body) {
        return send(server, method, path, body);
    }

    private static HttpResponse<Buffer> send(HttpServer to, HttpMethod method, String path, String body) {
        var request = client.request(method, to.actualPort(), "127.0.0.1", path);
        return (body == null ? request.send() : request.sendBuffer(Buffer.buffer(body))).await();
    }

    private static io.askpipe.schemas.Problem problem(HttpResponse<Buffer> response) throws Exception {
        assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
        return Json.mapper().readValue(response.bodyAsString(), io.askpipe.schemas.Problem.class);
    }

    @Test
    void readyzNamesWhatIsDownAndHealthzOnlyThatTheProcessServes() throws Exception {
        var notReady = send(opsServer, HttpMethod.GET, "/readyz", null);
        assertThat(notReady.statusCode()).isEqualTo(503);
        var problem = problem(notReady);
        assertThat(problem.type()).isEqualTo("https://askpipe.io/problems/not-ready");
        assertThat(problem.detail()).isEqualTo("Not ready: svc.consumer, svc.broken");
        for (HttpServer either : new HttpServer[] {server, opsServer}) {
            assertThat(send(either, HttpMethod.GET, "/healthz", null).statusCode())
                    .isEqualTo(200);
            assertThat(send(either, HttpMethod.GET, "/health", null).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void theClientPortShowsNeitherMetricsNorReadinessChecks() throws Exception {
        for (String internal : new String[] {"/metrics", "/readyz"}) {
            var response = send(HttpMethod.GET, internal, null);
            assertThat(response.statusCode()).as(internal).isEqualTo(404);
            assertThat(problem(response).type()).isEqualTo("https://askpipe.io/problems/not-found");
            assertThat(response.bodyAsString()).doesNotContain("svc.", "jvm_");
        }
    }

    @Test
    void unknownPathIsA404Problem() throws Exception {
        var response = send(HttpMethod.GET, "/nowhere", null);
        assertThat(response.statusCode()).isEqualTo(404);
        var problem = problem(response);
        assertThat(problem.type()).isEqualTo("https://askpipe.io/problems/not-found");
        assertThat(problem.instance()).isEqualTo("/nowhere");
        assertThat(problem.requestId())
                .isEqualTo(response.getHeader("X-Request-Id"))
                .isNotBlank();
    }

    @Test
    void wrongMethodIsA405Problem() throws Exception {
        var response = send(HttpMethod.DELETE, "/known", null);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(problem(response).type()).endsWith("/method-not-allowed");
    }

    @Test
    void oversizedBodyIsA413Problem() throws Exception {
        var response = send(HttpMethod.POST, "/echo", "x".repeat(100));
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(problem(response).type()).endsWith("/payload-too-large");
    }

    @Test
    void anOversizedBodyIsA413ThatSaysTheLimitInBytes() throws Exception {
        var announced = send(HttpMethod.POST, "/limited", "x".repeat(100));
        assertThat(announced.statusCode()).isEqualTo(413);
        assertThat(problem(announced).type()).endsWith("/payload-too-large");
        assertThat(problem(announced).detail()).isEqualTo("The request body exceeds the limit of 16 bytes");

        // without a Content-Length the limit strikes as the body streams in: the same answer
        var http = vertx.createHttpClient();
        var streamed = http.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", "/limited")
                .compose(request -> request.setChunked(true).send(Buffer.buffer("x".repeat(100))))
                .compose(response -> response.body().map(body -> Map.entry(response.statusCode(), body.toString())))
                .await();
        assertThat(streamed.getKey()).isEqualTo(413);
        var body = Json.mapper().readValue(streamed.getValue(), io.askpipe.schemas.Problem.class);
        assertThat(body.detail()).isEqualTo("The request body exceeds the limit of 16 bytes");

        assertThat(send(HttpMethod.POST, "/limited", "x".repeat(16)).statusCode())
                .isEqualTo(200);
        // a body handler to Vert.x, which orders an authentication handler after it (ingest's routes)
        assertThat(BodyLimit.of(16)).isInstanceOf(BodyHandler.class);
    }

    @Test
    void knownFailureKeepsItsTypeAndRetryAfter() throws Exception {
        var response = send(HttpMethod.GET, "/known", null);
        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.getHeader("Retry-After")).isEqualTo("3");
        assertThat(problem(response).detail()).isEqualTo("broker down");
    }

    @Test
    void unexpectedFailureHidesItsInternals() throws Exception {
        var response = send(HttpMethod.GET, "/bug", null);
        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.bodyAsString()).doesNotContain("secret internals").doesNotContain("Exception");
        assertThat(problem(response).type()).endsWith("/internal-error");
    }

    @Test
    void metricsAreInPrometheusFormatOnTheOperationsPort() {
        var response = send(opsServer, HttpMethod.GET, "/metrics", null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString()).contains("jvm_memory_used_bytes").contains("service=\"test\"");
    }
}
