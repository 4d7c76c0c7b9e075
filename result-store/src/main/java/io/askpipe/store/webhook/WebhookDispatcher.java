package io.askpipe.store.webhook;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the webhook outbox. One thread claims due deliveries (as many as there are free
 * attempt slots) and hands each to a virtual thread, which checks the callback's address again,
 * signs the body and POSTs it, then records the attempt and schedules the next one. Every
 * result-store instance runs one; they share the outbox through {@code SKIP LOCKED} claims.
 *
 * <p>Slots are shared fairly: besides {@code WEBHOOK_CONCURRENCY} in all, an instance has at most
 * {@code WEBHOOK_MAX_IN_FLIGHT_PER_USER} attempts in flight for one user and {@code
 * WEBHOOK_MAX_IN_FLIGHT_PER_HOST} to one destination host. The claim leaves the due deliveries of a
 * user or host at its cap where they are, so a receiver that never answers holds only its owner's
 * (and its host's) share of the slots until its attempts time out, and everyone else's webhooks go
 * on. The caps are per instance: with N instances a user may have up to N times its cap in flight.
 *
 * <p>The connection goes to the very address the guard just approved (the request names the host
 * for {@code Host} and TLS, but Vert.x is told which address to connect to), so a name that
 * resolves differently between the check and the connection cannot reach an internal address.
 * Redirects are not followed. A response body is discarded.
 *
 * <p>Under chaos mode ({@code CHAOS_WEBHOOK_FAILURE}) an attempt may fail before its POST as a
 * refused connection would, at the place {@code <Idempotency-Key>:<attempt>}: the attempt number is
 * persisted, so the same seed fails the same attempts in every run.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
    /** The line per ask and hop (LOG_ASKS). */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.store.asks");

    private final WebhookDeliveries deliveries;
    private final WebhookSecrets secrets;
    private final WebhookSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final Vertx vertx;
    private final HttpClientAgent client;
    private final Context context;
    private final Semaphore slots;
    private final Semaphore signals = new Semaphore(0);
    /** Attempts in flight by user and by destination host; a key goes when its count is zero. */
    private final Map<String, Integer> inFlightByUser = new ConcurrentHashMap<>();

    private final Map<String, Integer> inFlightByHost = new ConcurrentHashMap<>();
    /** Attempts by what they led to, one counter per outcome. */
    private final Map<String, Counter> outcomes;

    private final Timer attemptTime;
    private final FaultInjector faults;
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread claimer;
    private volatile boolean running = true;

    private WebhookDispatcher(
            WebhookDeliveries deliveries,
            WebhookSecrets secrets,
            WebhookSettings settings,
            Clock clock,
            RandomGenerator random,
            MeterRegistry registry,
            FaultInjector faults) {
        this.faults = faults;
        this.outcomes = Stream.of(WebhookDeliveries.SUCCEEDED, WebhookDeliveries.PENDING, WebhookDeliveries.DEAD)
                .collect(Collectors.toMap(
                        outcome -> outcome,
                        outcome -> Counter.builder("webhook_attempts")
                                .description(
                                        "Webhook delivery attempts by what they led to: succeeded, pending (a retry), dead")
                                .tag("outcome", outcome)
                                .register(registry)));
        this.attemptTime = Metrics.stage(registry, "webhook");
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.slots = new Semaphore(settings.concurrency());
        Gauge.builder("webhook_in_flight", slots, s -> settings.concurrency() - s.availablePermits())
                .description("Webhook attempts in flight on this instance")
                .register(registry);
        Gauge.builder("webhook_at_cap", inFlightByUser, m -> atCap(m, settings.maxInFlightPerUser()))
                .description("Users, or destination hosts, whose webhook attempts in flight on this instance are at"
                        + " their cap (WEBHOOK_MAX_IN_FLIGHT_PER_USER, _PER_HOST); their due deliveries wait")
                .tag("cap", "user")
                .register(registry);
        Gauge.builder("webhook_at_cap", inFlightByHost, m -> atCap(m, settings.maxInFlightPerHost()))
                .description("Users, or destination hosts, whose webhook attempts in flight on this instance are at"
                        + " their cap (WEBHOOK_MAX_IN_FLIGHT_PER_USER, _PER_HOST); their due deliveries wait")
                .tag("cap", "host")
                .register(registry);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
        this.client = vertx.createHttpClient(
                new HttpClientOptions()
                        .setConnectTimeout((int) settings.timeout().toMillis())
                        .setForceSni(true)
                        .setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(settings.concurrency()));
        this.context = vertx.getOrCreateContext();
        this.claimer = Thread.ofPlatform().name("askpipe-webhooks").daemon().unstarted(this::run);
    }

    /** Starts delivering. */
    public static WebhookDispatcher start(
            WebhookDeliveries deliveries,
            WebhookSecrets secrets,
            WebhookSettings settings,
            Clock clock,
            RandomGenerator random,
            MeterRegistry registry,
            FaultInjector faults) {
        WebhookDispatcher dispatcher =
                new WebhookDispatcher(deliveries, secrets, settings, clock, random, registry, faults);
        dispatcher.claimer.start();
        return dispatcher;
    }

    /** Says that a delivery may have become due: claims at once instead of at the next poll. */
    public void wake() {
        signals.release();
    }

    private void run() {
        while (running) {
            int free = slots.availablePermits();
            List<WebhookDeliveries.Due> due = List.of();
            if (free > 0) {
                try {
                    due = deliveries.claimDue(
                            free,
                            clock.instant().plus(lease()),
                            new WebhookDeliveries.InFlight(
                                    inFlightByUser,
                                    inFlightByHost,
                                    settings.maxInFlightPerUser(),
                                    settings.maxInFlightPerHost()));
                } catch (RuntimeException e) {
                    LOG.warn(
                            "cannot claim webhook deliveries, trying again in {}: {}",
                            settings.pollInterval(),
                            e.toString());
                }
            }
            for (WebhookDeliveries.Due delivery : due) {
                slots.acquireUninterruptibly();
                // counted up only here, on the claimer's thread, so a claim never sees fewer in
                // flight than there are; counted down by the attempt when it ends
                inFlightByUser.merge(delivery.userId(), 1, Integer::sum);
                inFlightByHost.merge(delivery.host(), 1, Integer::sum);
                attempts.execute(() -> {
                    try {
                        attempt(delivery);
                    } finally {
                        release(inFlightByUser, delivery.userId());
                        release(inFlightByHost, delivery.host());
                        slots.release();
                        wake();
                    }
                });
            }
            if (free == 0 || due.size() < free) {
                awaitSignal();
            }
        }
    }

    private static void release(Map<String, Integer> inFlight, String key) {
        inFlight.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static int atCap(Map<String, Integer> inFlight, int cap) {
        return (int) inFlight.values().stream().filter(n -> n >= cap).count();
    }

    /** How long a claimed delivery is left to its claimer: the attempt, and time to record it. */
    private Duration lease() {
        return settings.timeout().multipliedBy(2).plusSeconds(30);
    }

    private void awaitSignal() {
        try {
            signals.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
            signals.drainPermits();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** One attempt at {@code due}: the POST, then its record and what comes next. Never throws. */
    private void attempt(WebhookDeliveries.Due due) {
        try (var log = LogContext.of("request_id", due.requestId(), "traceparent", due.traceparent())) {
            attemptInScope(due);
        }
    }

    private void attemptInScope(WebhookDeliveries.Due due) {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        Reply reply = null;
        String error = null;
        try {
            CallbackPolicy callbacks = settings.callbacks();
            URI uri = callbacks.parse(due.url());
            InetAddress address = callbacks.resolve(uri).getFirst();
            long timestamp = started.getEpochSecond();
            String signature = WebhookSigner.signature(
                    secrets.signingSecrets(due.userId()), due.webhookId(), timestamp, due.payload());
            if (faults.strikes(Fault.WEBHOOK_FAILURE, due.askKey() + ":" + due.attempt())) {
                throw new java.net.ConnectException("connection refused (injected by chaos mode)");
            }
            reply = post(uri, address, due, timestamp, signature);
        } catch (CallbackPolicy.Rejected e) {
            error = "refused: the callback URL " + e.getMessage();
        } catch (Exception e) { // Future.await rethrows checked exceptions too, a timeout among them
            error = describe(e);
        }
        long elapsed = System.nanoTime() - startNanos;
        attemptTime.record(elapsed, TimeUnit.NANOSECONDS);
        long latencyMs = TimeUnit.NANOSECONDS.toMillis(elapsed);
        Instant now = clock.instant();
        Integer status = reply == null ? null : reply.status();
        String outcome;
        Instant next = now;
        if (status != null && status >= 200 && status < 300) {
            outcome = WebhookDeliveries.SUCCEEDED;
            ASKS.info(
                    "webhook {} delivered: HTTP {} in {} ms, attempt {}",
                    due.webhookId(),
                    status,
                    latencyMs,
                    due.attempt());
        } else if (status != null && status == 410) {
            outcome = WebhookDeliveries.DEAD;
            LOG.info(
                    "webhook {} for request_id={}: the receiver answered 410 Gone; no more retries",
                    due.webhookId(),
                    due.requestId());
        } else if (due.round() >= settings.maxAttempts()) {
            outcome = WebhookDeliveries.DEAD;
            LOG.warn(
                    "webhook {} for request_id={} failed {} times, the last with {}; it is dead until re-sent",
                    due.webhookId(),
                    due.requestId(),
                    due.round(),
                    status != null ? "HTTP " + status : error);
        } else {
            outcome = WebhookDeliveries.PENDING;
            Duration delay = jittered(settings.retrySchedule().get(due.round() - 1));
            Duration retryAfter = reply == null ? null : reply.retryAfter();
            if (retryAfter != null && retryAfter.compareTo(delay) > 0) {
                delay = retryAfter.compareTo(WebhookSettings.MAX_RETRY_AFTER) > 0
                        ? WebhookSettings.MAX_RETRY_AFTER
                        : retryAfter;
            }
            next = now.plus(delay);
            LOG.info(
                    "webhook {} attempt {} for request_id={} failed with {}; next attempt in {}",
                    due.webhookId(),
                    due.attempt(),
                    due.requestId(),
                    status != null ? "HTTP " + status : error,
                    delay);
        }
        outcomes.get(outcome).increment();
        try {
            deliveries.record(
                    due,
                    new WebhookDeliveries.Attempt(due.attempt(), started, status, latencyMs, error),
                    outcome,
                    next);
        } catch (RuntimeException e) {
            // the lease runs out and the delivery is attempted again: at least once, never lost
            LOG.warn(
                    "could not record webhook attempt {} for request_id={}: {}",
                    due.attempt(),
                    due.requestId(),
                    e.toString());
        }
    }

    private Duration jittered(Duration delay) {
        if (settings.jitterPercent() == 0 || delay.isZero()) {
            return delay;
        }
        double share = settings.jitterPercent() / 100.0;
        double factor = 1 + share * (2 * random.nextDouble() - 1);
        return Duration.ofMillis(Math.round(delay.toMillis() * factor));
    }

    /** What a receiver answered: its status, and how long it asked us to wait if it did. */
    private record Reply(int status, Duration retryAfter) {}

    private Reply post(URI uri, InetAddress address, WebhookDeliveries.Due due, long timestamp, String signature) {
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
                .setConnectTimeout(settings.timeout().toMillis())
                .setIdleTimeout(settings.timeout().toMillis())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.USER_AGENT, "askpipe-webhooks/1")
                .putHeader("webhook-id", due.webhookId())
                .putHeader("webhook-timestamp", Long.toString(timestamp))
                .putHeader("webhook-signature", signature);
        if (due.traceparent() != null) {
            // the receiver may continue the client's trace
            options.putHeader("traceparent", due.traceparent());
        }
        // the exchange runs on the client's event loop: there each step's callback runs as soon as
        // the step completes, before the response's body can arrive and end unobserved (from
        // another thread, Vert.x would hand the callbacks to the event loop as separate tasks)
        Promise<Reply> reply = Promise.promise();
        context.runOnContext(start -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            client.request(options)
                    .compose(request -> {
                        sent.set(request);
                        return request.send(Buffer.buffer(due.payload()));
                    })
                    // the body is discarded as it arrives; the attempt's timeout bounds how long it may take
                    .compose(response -> response.end()
                            .map(end ->
                                    new Reply(response.statusCode(), retryAfter(response.getHeader("Retry-After")))))
                    .timeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)
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

    /** A {@code Retry-After} of seconds or an HTTP date, as a delay; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            // an HTTP date, then
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration delay = Duration.between(Instant.now(), at);
            return delay.isNegative() ? Duration.ZERO : delay;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        String kind = error instanceof java.util.concurrent.TimeoutException
                        || (message != null && message.contains("timeout"))
                ? "timeout"
                : error.getClass().getSimpleName();
        return message == null ? kind : kind + ": " + message;
    }

    @Override
    public void close() {
        running = false;
        wake();
        try {
            claimer.join(5_000);
            attempts.shutdown();
            if (!attempts.awaitTermination(settings.timeout().toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
                // attempts cut short here are claimed again once their lease runs out
                attempts.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vertx.close().await();
    }
}
