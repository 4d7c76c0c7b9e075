package io.askpipe.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.schemas.Json;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The load generator's HTTP side: one Vert.x client (HTTP/1.1, a bounded pool of keep-alive
 * connections, requests beyond it queued in the client) for both the ingest API and the baseline
 * server, so that both are measured with the same client.
 *
 * <p>Open loop ({@link #openLoop}): ask {@code i} is due at {@code start + i / rate} whatever the
 * answers to earlier asks, and its latency is measured from when it was due, not from when it
 * could be sent, so a stalled server shows as latency instead of as a slower arrival rate
 * (coordinated omission). Closed loop ({@link #closedLoop}): a fixed number of requests in flight,
 * each sent when the previous one is answered; its rate is the server's peak.
 */
final class HttpLoad implements AutoCloseable {
    /** Latencies are recorded in microseconds, up to an hour, to three significant digits. */
    static Histogram histogram() {
        return new ConcurrentHistogram(TimeUnit.HOURS.toMicros(1), 3);
    }

    /** A request unanswered this long counts as an error (a poll waits at most 10 s). */
    private static final long REQUEST_TIMEOUT_MS = 30_000;

    private final Context context;
    private final HttpClientAgent client;
    private final String host;
    private final int port;
    private final String bearer;

    HttpLoad(Vertx vertx, URI base, String apiKey, int connections) {
        // every request starts on one event loop, whichever thread schedules it
        this.context = vertx.getOrCreateContext();
        this.client = vertx.createHttpClient(
                new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(connections));
        this.host = base.getHost();
        this.port = base.getPort();
        this.bearer = apiKey == null ? null : "Bearer " + apiKey;
    }

    /** What one run measured. */
    static final class Run {
        final Histogram submit = histogram();
        final Histogram result = histogram();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicInteger inFlight = new AtomicInteger();
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
        volatile long startedNanos;
        volatile long endedNanos;

        void error(String what) {
            errors.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }

        long errorCount() {
            return errors.values().stream().mapToLong(AtomicLong::get).sum();
        }

        Map<String, Long> errorsByKind() {
            Map<String, Long> byKind = new TreeMap<>();
            errors.forEach((k, v) -> byKind.put(k, v.get()));
            return byKind;
        }

        double seconds() {
            return (endedNanos - startedNanos) / 1e9;
        }
    }

    /**
     * Submits asks at {@code rate} per second for {@code warmup} plus {@code duration}, recording
     * only those due after the warm-up; with {@code waitForResult}, long-polls each accepted ask
     * ({@code GET /v1/ask/{id}?wait=10}) until it is terminal and records the time from its due
     * moment to the answer. Prints a progress line every second. Returns when every ask is answered.
     */
    Run openLoop(String runId, int rate, Duration warmup, Duration duration, boolean waitForResult)
            throws InterruptedException {
        Run run = new Run();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long warmupAsks = warmup.toSeconds() * rate;
        long total = warmupAsks + duration.toSeconds() * rate;
        CountDownLatch done = new CountDownLatch((int) total);
        long start = System.nanoTime();
        long nextProgress = start + TimeUnit.SECONDS.toNanos(1);
        for (long i = 0; i < total; i++) {
            long due = start + i * interval;
            long now = System.nanoTime();
            if (due > now) {
                LockSupport.parkNanos(due - now);
            }
            if (i == warmupAsks) {
                run.startedNanos = due;
            }
            boolean measured = i >= warmupAsks;
            String key = runId + "-" + i;
            context.runOnContext(v -> submit(run, key, due, measured, waitForResult, done));
            if (System.nanoTime() >= nextProgress) {
                progress(run, nextProgress - start, i + 1, total);
                nextProgress += TimeUnit.SECONDS.toNanos(1);
            }
        }
        run.endedNanos = start + total * interval;
        while (!done.await(1, TimeUnit.SECONDS)) {
            progress(run, System.nanoTime() - start, total, total);
        }
        return run;
    }

    /** Keeps {@code concurrency} asks (or hello requests) in flight for {@code duration}. */
    Run closedLoop(String runId, String path, int concurrency, Duration warmup, Duration duration)
            throws InterruptedException {
        Run run = new Run();
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + duration.toNanos();
        run.startedNanos = measureFrom;
        run.endedNanos = end;
        AtomicLong next = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(concurrency);
        for (int c = 0; c < concurrency; c++) {
            context.runOnContext(v -> loop(run, runId, path, next, measureFrom, end, finished));
        }
        finished.await();
        return run;
    }

    private void loop(
            Run run, String runId, String path, AtomicLong next, long measureFrom, long end, CountDownLatch finished) {
        long sent = System.nanoTime();
        if (sent >= end) {
            finished.countDown();
            return;
        }
        long n = next.getAndIncrement();
        post(path, runId + "-" + n).onComplete(answer -> {
            long now = System.nanoTime();
            boolean measured = sent >= measureFrom && now <= end;
            if (answer.succeeded() && answer.result().status() == 202) {
                run.accepted.incrementAndGet();
                if (measured) {
                    run.submit.recordValue(Math.max(0, (now - sent) / 1_000));
                }
            } else if (measured) {
                run.error(failure(answer));
            }
            loop(run, runId, path, next, measureFrom, end, finished);
        });
    }

    private void submit(Run run, String key, long due, boolean measured, boolean waitForResult, CountDownLatch done) {
        run.sent.incrementAndGet();
        run.inFlight.incrementAndGet();
        post("/v1/ask", key).onComplete(answer -> {
            long now = System.nanoTime();
            if (answer.succeeded() && answer.result().status() == 202) {
                run.accepted.incrementAndGet();
                if (measured) {
                    run.submit.recordValue(Math.max(0, (now - due) / 1_000));
                }
                if (waitForResult) {
                    String id = requestId(answer.result().body());
                    awaitResult(run, id, due, measured, done);
                    return;
                }
            } else {
                run.error(failure(answer));
            }
            run.inFlight.decrementAndGet();
            done.countDown();
        });
    }

    private void awaitResult(Run run, String id, long due, boolean measured, CountDownLatch done) {
        get("/v1/ask/" + id + "?wait=10").onComplete(answer -> {
            long now = System.nanoTime();
            if (answer.succeeded() && answer.result().status() == 200) {
                String status = status(answer.result().body());
                if (status.equals("queued") || status.equals("running")) {
                    awaitResult(run, id, due, measured, done);
                    return;
                }
                run.answered.incrementAndGet();
                if (measured) {
                    run.result.recordValue(Math.max(0, (now - due) / 1_000));
                }
                if (!status.equals("succeeded")) {
                    run.error("ask " + status);
                }
            } else {
                run.error("poll: " + failure(answer));
            }
            run.inFlight.decrementAndGet();
            done.countDown();
        });
    }

    record Answer(int status, Buffer body) {}

    private Future<Answer> post(String path, String idempotencyKey) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(host)
                .setPort(port)
                .setURI(path)
                .putHeader("Content-Type", "application/json")
                .putHeader("Idempotency-Key", idempotencyKey)
                .setTimeout(REQUEST_TIMEOUT_MS);
        if (bearer != null) {
            options.putHeader("Authorization", bearer);
        }
        Buffer body = Buffer.buffer(body(idempotencyKey));
        return client.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
    }

    /** The body of the ask with {@code idempotencyKey}: its prompt alone, as JSON. */
    static String body(String idempotencyKey) {
        return "{\"prompt\":\"" + prompt(idempotencyKey) + "\"}";
    }

    /** The prompt of the ask with {@code idempotencyKey} (a key of letters, digits and hyphens). */
    static String prompt(String idempotencyKey) {
        return "load test ask " + idempotencyKey;
    }

    private Future<Answer> get(String path) {
        RequestOptions options = new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost(host)
                .setPort(port)
                .setURI(path)
                .setTimeout(REQUEST_TIMEOUT_MS);
        if (bearer != null) {
            options.putHeader("Authorization", bearer);
        }
        return client.request(options)
                .compose(request -> request.send())
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
    }

    private static String requestId(Buffer body) {
        return field(body, "request_id");
    }

    private static String status(Buffer body) {
        return field(body, "status");
    }

    private static String field(Buffer body, String name) {
        try {
            JsonNode node = Json.mapper().readTree(body.getBytes());
            return node.path(name).asText();
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }

    /** What went wrong with a request that did not get the answer it wanted: a status, or an error's kind. */
    private static String failure(AsyncResult<Answer> answer) {
        return answer.succeeded()
                ? "HTTP " + answer.result().status()
                : answer.cause().getClass().getSimpleName();
    }

    private static void progress(Run run, long elapsedNanos, long due, long total) {
        System.out.printf(
                "  %3ds  sent %d/%d  accepted %d  answered %d  in flight %d  errors %d  submit p99 %s  result p99 %s%n",
                TimeUnit.NANOSECONDS.toSeconds(elapsedNanos),
                due,
                total,
                run.accepted.get(),
                run.answered.get(),
                run.inFlight.get(),
                run.errorCount(),
                ms(run.submit, 99),
                ms(run.result, 99));
    }

    static String ms(Histogram histogram, double percentile) {
        if (histogram.getTotalCount() == 0) {
            return "-";
        }
        return String.format("%.2f ms", histogram.getValueAtPercentile(percentile) / 1000.0);
    }

    @Override
    public void close() {
        client.close().await();
    }
}
