package io.askpipe.store.webhook;

import io.askpipe.common.fault.FaultInjector;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.random.RandomGenerator;

/**
 * Delivers the webhook outbox, one dispatcher per result-store instance.
 *
 * <p>A small front, as Kafka's producer is to its accumulator and sender: the {@link ClaimLoop}
 * claims due deliveries into free attempt slots, each {@link DeliveryAttempt} checks the callback's
 * address again, signs the body, POSTs it through the {@link PinnedHttpClient} and records the
 * attempt, and the {@link RetrySchedule} says when a failed one is tried next. Instances share the
 * outbox through {@code SKIP LOCKED} claims; a webhook is delivered at least once, with a stable
 * {@code webhook-id}.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private final PinnedHttpClient http;
    private final ClaimLoop claims;

    private WebhookDispatcher(PinnedHttpClient http, ClaimLoop claims) {
        this.http = http;
        this.claims = claims;
    }

    /**
     * Starts delivering what {@code deliveries} holds, signed with {@code secrets}, as {@code settings}
     * say; {@code random} jitters the retries; each attempt asks {@code faults} whether a fault strikes
     * ({@code WEBHOOK_FAILURE}).
     */
    public static WebhookDispatcher start(
            WebhookDeliveries deliveries,
            WebhookSecrets secrets,
            WebhookSettings settings,
            Clock clock,
            RandomGenerator random,
            MeterRegistry registry,
            FaultInjector faults) {
        PinnedHttpClient http = new PinnedHttpClient(settings.timeout(), settings.concurrency());
        DeliveryAttempt attempt = new DeliveryAttempt(
                deliveries,
                secrets,
                settings.callbacks(),
                new RetrySchedule(settings, random, clock),
                http,
                clock,
                registry,
                faults);
        return new WebhookDispatcher(http, ClaimLoop.start(deliveries, settings, clock, attempt::run, registry));
    }

    /** Says that a delivery may have become due: claims at once instead of at the next poll. */
    public void wake() {
        claims.wake();
    }

    /** Stops claiming, lets the attempts in flight end (up to their timeout), then closes the client. */
    @Override
    public void close() {
        claims.close();
        http.close();
    }
}
