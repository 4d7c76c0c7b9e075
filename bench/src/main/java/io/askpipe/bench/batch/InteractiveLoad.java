package io.askpipe.bench.batch;

import com.fasterxml.jackson.databind.JsonNode;
import io.askpipe.schemas.AskStatus;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Interactive asks, each a virtual thread with the JDK's HTTP client: submitted to ingest ({@code
 * POST /v1/ask} with an Idempotency-Key of the run) and, in an open loop, long-polled at the
 * result store ({@code GET /v1/ask/{id}?wait=10}) until terminal. In the open loop ask {@code i}
 * is due at {@code start + i / rate} whatever became of the asks before it, and is timed from its
 * due moment, so that a stalled service shows as latency rather than as fewer asks (coordinated
 * omission). The closed loop keeps a number of submits in flight, without polls.
 */
final class InteractiveLoad {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration GIVE_UP = Duration.ofMinutes(10);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI ingest;
    private final URI store;
    private final String bearer;
    private final Prompts prompts;

    InteractiveLoad(URI ingest, URI store, String apiKey, Prompts prompts) {
        this.ingest = ingest;
        this.store = store;
        this.bearer = "Bearer " + apiKey;
        this.prompts = prompts;
    }

    /**
     * What an open loop measured.
     *
     * @param submit from each ask's due moment to its 202
     * @param result from each ask's due moment to the long poll that answered it terminal
     * @param busyPolls long polls answered 429 (the user's waiting places taken), waited a second and repeated
     * @param errors asks that did not end succeeded, by what happened
     */
    record OpenRun(
            String run,
            int rate,
            double seconds,
            long sent,
            long accepted,
            long answered,
            Latencies.Summary submit,
            Latencies.Summary result,
            long busyPolls,
            Map<String, Long> errors) {}

    /**
     * What a closed loop measured.
     *
     * @param submit from each submit's start to its 202
     */
    record ClosedRun(
            String run,
            int clients,
            double seconds,
            long accepted,
            Latencies.Summary submit,
            Map<String, Long> errors) {
        double acceptedPerSecond() {
            return accepted / seconds;
        }
    }

    /** Counters of one run, shared by its asks' threads. */
    private static final class Tally {
        final Latencies submit = new Latencies();
        final Latencies result = new Latencies();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong busyPolls = new AtomicLong();
        final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();

        void error(String what) {
            errors.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
        }

        Map<String, Long> errors() {
            Map<String, Long> byKind = new TreeMap<>();
            errors.forEach((k, v) -> byKind.put(k, v.get()));
            return byKind;
        }
    }

    /**
     * Submits asks at {@code rate} a second until {@code atMost} passed or {@code stop} says so
     * (checked before each ask), each long-polled to its end; returns once every one has ended.
     */
    OpenRun openLoop(String run, int rate, Duration atMost, BooleanSupplier stop) throws InterruptedException {
        Tally tally = new Tally();
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long end = start + atMost.toNanos();
        long due = start;
        try (ExecutorService asks = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; ; i++) {
                due = start + i * interval;
                if (due >= end || stop.getAsBoolean()) {
                    break;
                }
                LockSupport.parkNanos(due - System.nanoTime());
                long n = i;
                long dueAt = due;
                asks.execute(() -> openAsk(tally, run + "-" + n, n, dueAt));
            }
        }
        return new OpenRun(
                run,
                rate,
                (due - start) / 1e9,
                tally.sent.get(),
                tally.accepted.get(),
                tally.answered.get(),
                tally.submit.summary(),
                tally.result.summary(),
                tally.busyPolls.get(),
                tally.errors());
    }

    private void openAsk(Tally tally, String key, long n, long due) {
        tally.sent.incrementAndGet();
        Optional<String> id = submit(tally, key, n, due);
        if (id.isEmpty()) {
            return;
        }
        long giveUp = System.nanoTime() + GIVE_UP.toNanos();
        try {
            while (System.nanoTime() < giveUp) {
                HttpResponse<String> answer = http.send(
                        request(store.resolve("/v1/ask/" + id.get() + "?wait=10"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                switch (answer.statusCode()) {
                    case 200 -> {
                        AskStatus status = AskStatus.fromWire(Json.mapper()
                                .readTree(answer.body())
                                .path("status")
                                .asText());
                        if (status.terminal()) {
                            tally.result.add((System.nanoTime() - due) / 1_000);
                            tally.answered.incrementAndGet();
                            if (status != AskStatus.SUCCEEDED) {
                                tally.error("ask " + status.wireName());
                            }
                            return;
                        }
                    }
                    case 404 -> {
                        // accepted, not yet stored: the long poll waited for it and ran out
                    }
                    case 429 -> {
                        tally.busyPolls.incrementAndGet();
                        Thread.sleep(1000);
                    }
                    default -> {
                        tally.error("poll HTTP " + answer.statusCode());
                        return;
                    }
                }
            }
            tally.error("no result after " + GIVE_UP.toMinutes() + " minutes");
        } catch (IOException e) {
            tally.error("poll " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Keeps {@code clients} submits in flight for {@code duration}, each sent when the one before
     * it was answered; not polled.
     */
    ClosedRun closedLoop(String run, int clients, Duration duration) throws InterruptedException {
        Tally tally = new Tally();
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        try (ExecutorService loops = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                loops.execute(() -> {
                    while (System.nanoTime() < end && !Thread.currentThread().isInterrupted()) {
                        long n = next.getAndIncrement();
                        submit(tally, run + "-" + n, n, System.nanoTime());
                    }
                });
            }
        }
        return new ClosedRun(
                run,
                clients,
                (System.nanoTime() - start) / 1e9,
                tally.accepted.get(),
                tally.submit.summary(),
                tally.errors());
    }

    /** Submits ask {@code n} as {@code key}; its request id once accepted, timed from {@code due}. */
    private Optional<String> submit(Tally tally, String key, long n, long due) {
        try {
            HttpResponse<String> accepted = http.send(
                    request(ingest.resolve("/v1/ask"))
                            .header("Content-Type", "application/json")
                            .header("Idempotency-Key", key)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    prompts.body("interactive ask", n).toString()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (accepted.statusCode() != 202) {
                tally.error("submit HTTP " + accepted.statusCode());
                return Optional.empty();
            }
            tally.submit.add((System.nanoTime() - due) / 1_000);
            tally.accepted.incrementAndGet();
            JsonNode body = Json.mapper().readTree(accepted.body());
            return Optional.of(body.path("request_id").asText());
        } catch (IOException e) {
            tally.error("submit " + e.getClass().getSimpleName());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Authorization", bearer);
    }
}
