package io.askpipe.drill.load;

import io.askpipe.common.retry.Backoff;
import io.askpipe.schemas.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The drill's clients: each ask is POSTed with its own Idempotency-Key and retried with that key,
 * as a well-behaved client would, on a 503 or a connection error (the ingest process may be down
 * or its publish may have failed) until it is accepted or {@link #GIVE_UP} has passed. Some asks
 * carry a deadline ({@code expires_after}) and some are cancelled once accepted, as {@link Plan}
 * says.
 */
public final class Load {
    static final Duration GIVE_UP = Duration.ofMinutes(2);

    /**
     * An ask answered 202: its number, key, prompt, request id, when its first try started and when
     * its 202 came (epoch ms), and its {@code expires_after} in seconds (0: none).
     */
    public record Accepted(
            int n,
            String key,
            String prompt,
            String requestId,
            long submittedAtMillis,
            long acceptedAtMillis,
            int expiresAfterSeconds) {
        /** An ask without a deadline, answered when its first try started. */
        public Accepted(int n, String key, String prompt, String requestId, long submittedAtMillis) {
            this(n, key, prompt, requestId, submittedAtMillis, submittedAtMillis, 0);
        }

        /**
         * The latest its deadline can be (epoch ms), if it has one: ingest fixes it from its first
         * accept, which was at the latest when this 202 came.
         */
        public OptionalLong latestDeadlineMillis() {
            return expiresAfterSeconds == 0
                    ? OptionalLong.empty()
                    : OptionalLong.of(acceptedAtMillis + expiresAfterSeconds * 1000L);
        }
    }

    /**
     * Which asks carry a deadline and which are cancelled: ask {@code n} carries {@code expires_after:
     * expiresAfterSeconds} when {@code n % expireEvery == 0}, and is cancelled right after its 202
     * when {@code n % cancelEvery == cancelEvery / 2} (0: none).
     */
    public record Plan(int expireEvery, int expiresAfterSeconds, int cancelEvery) {
        public static final Plan NONE = new Plan(0, 0, 0);

        int expiresAfter(int n) {
            return expireEvery > 0 && n % expireEvery == 0 ? expiresAfterSeconds : 0;
        }

        boolean cancels(int n) {
            return cancelEvery > 0 && n % cancelEvery == cancelEvery / 2;
        }
    }

    /**
     * A cancel the drill sent for an accepted ask: the answer's status (200 cancelled, 202
     * cancelling, 409 already finished) and when it came (epoch ms).
     */
    public record Cancel(int n, String requestId, int status, long answeredAtMillis) {
        /** Whether askpipe took the cancel on: from then on the ask must not reach a backend again. */
        public boolean acknowledged() {
            return status == 200 || status == 202;
        }
    }

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // the services speak HTTP/1.1; no h2c upgrade
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    private final URI ingest;
    private final String bearer;
    private final String runId;
    private final URI callback;
    private final Plan plan;

    private final Map<Integer, Accepted> accepted = new ConcurrentHashMap<>();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger gaveUp = new AtomicInteger();
    /** Answers other than 202, 503 and 429: a refused ask, which a drill's asks never should be. */
    private final Map<Integer, String> refused = new ConcurrentHashMap<>();

    private final Map<Integer, Cancel> cancels = new ConcurrentHashMap<>();
    /** Cancels answered other than 200, 202, 409 or 503: askpipe refused a cancel of the owner's ask. */
    private final Map<Integer, String> cancelsRefused = new ConcurrentHashMap<>();

    private final AtomicInteger submitted = new AtomicInteger();
    /** From the first try to the 202, in microseconds. */
    private final Histogram submitLatency = new ConcurrentHistogram(3);

    /**
     * @param runId names the run in every key and prompt
     * @param callback the webhook receiver's URL every ask carries, or {@code null} for none
     * @param plan which asks carry a deadline and which are cancelled
     */
    public Load(URI ingest, String apiKey, String runId, URI callback, Plan plan) {
        this.ingest = ingest;
        this.bearer = "Bearer " + apiKey;
        this.runId = runId;
        this.callback = callback;
        this.plan = plan;
    }

    public String key(int n) {
        return keyPrefix() + n;
    }

    /** What every key of this load begins with, and no other load's. */
    public String keyPrefix() {
        return "drill-" + runId + "-";
    }

    /** The prompt of ask {@code n}; the drill's LLM counts calls by it. */
    public String prompt(int n) {
        return "drill " + runId + " ask " + n;
    }

    /** Submits asks {@code 0..asks-1} with {@code concurrency} clients; returns when all are settled. */
    public void run(int asks, int concurrency) throws InterruptedException {
        Semaphore slots = new Semaphore(concurrency);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < asks; i++) {
                int n = i;
                slots.acquire();
                clients.execute(() -> {
                    try {
                        submit(n);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        slots.release();
                    }
                });
            }
        }
    }

    /** How a client waits between retries of a submit turned away: 50 ms, doubling up to 1 s. */
    static final Backoff CLIENT_BACKOFF = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));

    private void submit(int n) throws InterruptedException {
        long startedNanos = System.nanoTime();
        long startedMillis = System.currentTimeMillis();
        long deadline = startedNanos + GIVE_UP.toNanos();
        Backoff.Delays delays = CLIENT_BACKOFF.delays();
        submitted.incrementAndGet();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = post(n);
                int status = response.statusCode();
                if (status == 202) {
                    String id = Json.mapper()
                            .readTree(response.body())
                            .get("request_id")
                            .asText();
                    accepted.put(
                            n,
                            new Accepted(
                                    n,
                                    key(n),
                                    prompt(n),
                                    id,
                                    startedMillis,
                                    System.currentTimeMillis(),
                                    plan.expiresAfter(n)));
                    submitLatency.recordValue((System.nanoTime() - startedNanos) / 1_000);
                    if (plan.cancels(n)) {
                        cancel(n, id);
                    }
                    return;
                }
                if (status != 503 && status != 429 && status != 409) {
                    refused.put(n, status + " " + response.body());
                    return;
                }
            } catch (IOException e) {
                // the ingest process is down or restarting: retry with the same key
            }
            retries.incrementAndGet();
            Thread.sleep(delays.next());
        }
        gaveUp.incrementAndGet();
    }

    /** Cancels ask {@code n}, retrying while the ingest API is unavailable, and records the answer. */
    private void cancel(int n, String requestId) throws InterruptedException {
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        Backoff.Delays delays = CLIENT_BACKOFF.delays();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(ingest.resolve("/v1/ask/" + requestId + "/cancel"))
                                .timeout(Duration.ofSeconds(15))
                                .header("Authorization", bearer)
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200 || status == 202 || status == 409) {
                    cancels.put(n, new Cancel(n, requestId, status, System.currentTimeMillis()));
                    return;
                }
                if (status != 503) {
                    cancelsRefused.put(n, status + " " + response.body());
                    return;
                }
            } catch (IOException e) {
                // the ingest process is down or restarting: cancel again
            }
            retries.incrementAndGet();
            Thread.sleep(delays.next());
        }
        cancelsRefused.put(n, "no answer within " + GIVE_UP.toSeconds() + " s");
    }

    /**
     * One try of ask {@code n}: its prompt, its deadline when the plan gives it one, and its
     * callback when the drill has a receiver.
     */
    private HttpResponse<String> post(int n) throws IOException, InterruptedException {
        StringBuilder body =
                new StringBuilder("{\"prompt\":\"").append(prompt(n)).append('"');
        if (plan.expiresAfter(n) > 0) {
            body.append(",\"expires_after\":").append(plan.expiresAfter(n));
        }
        if (callback != null) {
            body.append(",\"callback_url\":\"").append(callback).append('"');
        }
        body.append('}');
        return http.send(
                HttpRequest.newBuilder(ingest.resolve("/v1/ask"))
                        .timeout(Duration.ofSeconds(15))
                        .header("Authorization", bearer)
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", key(n))
                        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Asks submitted so far. */
    public int submittedCount() {
        return submitted.get();
    }

    /** Asks answered 202 so far. */
    public int acceptedCount() {
        return accepted.size();
    }

    /** What the clients submitted and were told so far. */
    public Submissions submissions() {
        return new Submissions(
                submitted.get(),
                List.copyOf(accepted.values()),
                new TreeMap<>(refused),
                gaveUp.get(),
                retries.get(),
                submitLatency.copy(),
                List.copyOf(cancels.values()),
                new TreeMap<>(cancelsRefused));
    }

    /**
     * Submits every accepted ask once more with its key, {@code concurrency} at once, and returns
     * how many answers named another request id: a client's late retry must find its ask.
     */
    public int lateRetries(int concurrency) throws InterruptedException {
        AtomicInteger other = new AtomicInteger();
        Semaphore slots = new Semaphore(concurrency);
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Accepted ask : accepted.values()) {
                slots.acquire();
                clients.execute(() -> {
                    try {
                        if (!replaysSameAsk(ask)) {
                            other.incrementAndGet();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        slots.release();
                    }
                });
            }
        }
        return other.get();
    }

    /**
     * Submits ask {@code n} once more with its key and says whether the answer names the same
     * request id: a client's late retry must find its ask, not make a second one.
     */
    private boolean replaysSameAsk(Accepted ask) throws InterruptedException {
        for (int tries = 0; tries < 20; tries++) {
            try {
                HttpResponse<String> response = post(ask.n());
                if (response.statusCode() == 202) {
                    return Json.mapper()
                            .readTree(response.body())
                            .get("request_id")
                            .asText()
                            .equals(ask.requestId());
                }
            } catch (IOException e) {
                // retried below
            }
            Thread.sleep(200);
        }
        return false;
    }
}
