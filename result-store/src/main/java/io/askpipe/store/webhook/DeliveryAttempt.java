package io.askpipe.store.webhook;

import io.askpipe.common.callback.CallbackPolicy;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.askpipe.common.log.LogContext;
import io.askpipe.common.service.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at a claimed delivery, from checking its callback's address again to recording what
 * came of it.
 *
 * <p>The attempt resolves the callback and checks the address against the SSRF guard, signs the
 * body with each of the user's current secrets and POSTs it through the {@link PinnedHttpClient}.
 * A 2xx delivers the webhook; a 410 ends its retries; any other answer, or none, is retried as the
 * {@link RetrySchedule} says until the round's last attempt, after which the delivery is dead until
 * its owner sends it again.
 *
 * <p>Under chaos mode ({@code CHAOS_WEBHOOK_FAILURE}) an attempt may fail before its POST as a
 * refused connection would, at the place {@code <Idempotency-Key>:<attempt>} (a batch event's
 * delivery, which has no ask: {@code <webhook-id>:<attempt>}): the attempt number is persisted, so
 * the same seed fails the same attempts in every run. Thread-safe: the claim loop runs attempts
 * concurrently.
 */
final class DeliveryAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryAttempt.class);
    /** The line per ask and hop (LOG_ASKS); a batch event's delivery is told by {@link #LOG}. */
    private static final Logger ASKS = LoggerFactory.getLogger("io.askpipe.store.asks");

    private final WebhookDeliveries deliveries;
    private final WebhookSecrets secrets;
    private final CallbackPolicy callbacks;
    private final RetrySchedule schedule;
    private final PinnedHttpClient http;
    private final Clock clock;
    private final FaultInjector faults;
    /** Attempts by what they led to, one counter per outcome. */
    private final Map<String, Counter> outcomes;

    private final Timer attemptTime;

    DeliveryAttempt(
            WebhookDeliveries deliveries,
            WebhookSecrets secrets,
            CallbackPolicy callbacks,
            RetrySchedule schedule,
            PinnedHttpClient http,
            Clock clock,
            MeterRegistry registry,
            FaultInjector faults) {
        this.deliveries = deliveries;
        this.secrets = secrets;
        this.callbacks = callbacks;
        this.schedule = schedule;
        this.http = http;
        this.clock = clock;
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
    }

    /** Makes one attempt at {@code due}: the POST, then its record and what comes next. Never throws. */
    void run(WebhookDeliveries.Due due) {
        try (var log = LogContext.of(
                "request_id",
                due.requestId().orElse(null),
                "batch_id",
                due.batchId().orElse(null),
                "traceparent",
                due.traceparent())) {
            runInScope(due);
        }
    }

    private void runInScope(WebhookDeliveries.Due due) {
        Instant started = clock.instant();
        long startNanos = System.nanoTime();
        PinnedHttpClient.Reply reply = null;
        String error = null;
        try {
            URI uri = callbacks.parse(due.url());
            InetAddress address = callbacks.resolve(uri).getFirst();
            long timestamp = started.getEpochSecond();
            String signature = WebhookSigner.signature(
                    secrets.signingSecrets(due.userId()), due.webhookId(), timestamp, due.payload());
            if (faults.strikes(Fault.WEBHOOK_FAILURE, due.faultPlace() + ":" + due.attempt())) {
                throw new ConnectException("connection refused (injected by chaos mode)");
            }
            reply = http.post(uri, address, headers(due, timestamp, signature), due.payload());
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
            (due.requestId().isPresent() ? ASKS : LOG)
                    .info(
                            "webhook {} delivered: HTTP {} in {} ms, attempt {}",
                            due.webhookId(),
                            status,
                            latencyMs,
                            due.attempt());
        } else if (status != null && status == 410) {
            outcome = WebhookDeliveries.DEAD;
            LOG.info(
                    "webhook {} for {}: the receiver answered 410 Gone; no more retries",
                    due.webhookId(),
                    due.subject());
        } else if (schedule.last(due.round())) {
            outcome = WebhookDeliveries.DEAD;
            LOG.warn(
                    "webhook {} for {} failed {} times, the last with {}; it is dead{}",
                    due.webhookId(),
                    due.subject(),
                    due.round(),
                    status != null ? "HTTP " + status : error,
                    // only an ask's delivery has a re-send route
                    due.requestId().isPresent() ? " until re-sent" : "");
        } else {
            outcome = WebhookDeliveries.PENDING;
            Duration delay = schedule.delay(due.round(), reply == null ? Optional.empty() : reply.retryAfter());
            next = now.plus(delay);
            LOG.info(
                    "webhook {} attempt {} for {} failed with {}; next attempt in {}",
                    due.webhookId(),
                    due.attempt(),
                    due.subject(),
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
            LOG.warn("could not record webhook attempt {} for {}: {}", due.attempt(), due.subject(), e.toString());
        }
    }

    /** The Standard Webhooks headers of {@code due}, and its trace for the receiver to continue. */
    private static SequencedMap<String, String> headers(WebhookDeliveries.Due due, long timestamp, String signature) {
        SequencedMap<String, String> headers = new LinkedHashMap<>();
        headers.put("webhook-id", due.webhookId());
        headers.put("webhook-timestamp", Long.toString(timestamp));
        headers.put("webhook-signature", signature);
        if (due.traceparent() != null) {
            headers.put("traceparent", due.traceparent());
        }
        return headers;
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        String kind = error instanceof TimeoutException || (message != null && message.contains("timeout"))
                ? "timeout"
                : error.getClass().getSimpleName();
        return message == null ? kind : kind + ": " + message;
    }
}
