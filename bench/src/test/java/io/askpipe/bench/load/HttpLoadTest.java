package io.askpipe.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpLoadTest {
    private final Vertx vertx = Vertx.vertx();
    private final AtomicInteger posts = new AtomicInteger();
    private final AtomicInteger polls = new AtomicInteger();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    /** Answers asks at once, except the first, which it holds for {@code stallMillis}. */
    private URI server(long stallMillis) {
        HttpServer server = vertx.createHttpServer()
                .requestHandler(request -> {
                    if (request.path().equals("/v1/ask")) {
                        int n = posts.incrementAndGet();
                        Runnable answer = () -> request.response()
                                .setStatusCode(202)
                                .end("{\"request_id\":\"r" + n + "\",\"status\":\"queued\"}");
                        if (n == 1 && stallMillis > 0) {
                            vertx.setTimer(stallMillis, t -> answer.run());
                        } else {
                            answer.run();
                        }
                    } else {
                        // the first poll of each ask finds it running, the second done
                        String status = polls.incrementAndGet() % 2 == 1 ? "running" : "succeeded";
                        request.response().end("{\"status\":\"" + status + "\"}");
                    }
                })
                .listen(0, "127.0.0.1")
                .await();
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    @Test
    void anOpenLoopSendsOnScheduleAndCountsAStallAgainstEveryAskDueDuringIt() throws Exception {
        URI base = server(500);
        try (HttpLoad load = new HttpLoad(vertx, base, "key", 1)) {
            HttpLoad.Run run = load.openLoop("t", 100, Duration.ZERO, Duration.ofSeconds(2), false);

            assertThat(run.sent.get()).isEqualTo(200);
            assertThat(run.accepted.get()).isEqualTo(200);
            // one connection: the asks due during the 500 ms stall waited behind it, and their
            // latency counts from when they were due, not from when they could be sent
            assertThat(run.submit.getTotalCount()).isEqualTo(200);
            // (asks due in the first 400 ms waited at least 100 ms: about 40 of them, not just the first)
            assertThat(run.submit.getCountBetweenValues(100_000, run.submit.getHighestTrackableValue()))
                    .isGreaterThanOrEqualTo(30);
            assertThat(run.submit.getMaxValue())
                    .isGreaterThanOrEqualTo(Duration.ofMillis(450).toNanos() / 1000);
        }
    }

    @Test
    void waitingForResultsPollsUntilTheAskIsTerminal() throws Exception {
        URI base = server(0);
        try (HttpLoad load = new HttpLoad(vertx, base, "key", 8)) {
            HttpLoad.Run run = load.openLoop("t", 50, Duration.ZERO, Duration.ofSeconds(1), true);

            assertThat(run.answered.get()).isEqualTo(50);
            assertThat(polls.get()).as("two polls per ask").isEqualTo(100);
            assertThat(run.result.getTotalCount()).isEqualTo(50);
            assertThat(run.errorCount()).isZero();
        }
    }

    @Test
    void aClosedLoopKeepsItsRequestsInFlightForTheDuration() throws Exception {
        URI base = server(0);
        try (HttpLoad load = new HttpLoad(vertx, base, null, 4)) {
            HttpLoad.Run run = load.closedLoop("t", "/v1/ask", 4, Duration.ZERO, Duration.ofMillis(500));

            assertThat(run.submit.getTotalCount()).isPositive();
            assertThat(run.submit.getTotalCount()).isLessThanOrEqualTo(posts.get());
            assertThat(run.errorCount()).isZero();
        }
    }
}
