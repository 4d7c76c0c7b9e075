package io.askpipe.store.webhook;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop: one thread per instance that fills the free attempt slots with due deliveries,
 * each attempt on a virtual thread of its own.
 *
 * <p>Slots are shared fairly: besides {@code WEBHOOK_CONCURRENCY} in all, an instance has at most
 * {@code WEBHOOK_MAX_IN_FLIGHT_PER_USER} attempts in flight for one user and {@code
 * WEBHOOK_MAX_IN_FLIGHT_PER_HOST} to one destination host. The claim leaves the due deliveries of a
 * user or host at its cap where they are, so a receiver that never answers holds only its owner's
 * (and its host's) share of the slots until its attempts time out, and everyone else's webhooks go
 * on. The caps are per instance: with N instances a user may have up to N times its cap in flight.
 * Instances share the outbox through {@code SKIP LOCKED} claims. The loop claims when an attempt
 * ends, when it is {@linkplain #wake() woken} and at every {@code WEBHOOK_POLL_INTERVAL}.
 */
final class ClaimLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimLoop.class);

    private final WebhookDeliveries deliveries;
    private final WebhookSettings settings;
    private final Clock clock;
    private final Consumer<WebhookDeliveries.Due> attempt;
    private final Semaphore slots;
    private final Semaphore signals = new Semaphore(0);
    /** Attempts in flight by user and by destination host; a key goes when its count is zero. */
    private final Map<String, Integer> inFlightByUser = new ConcurrentHashMap<>();

    private final Map<String, Integer> inFlightByHost = new ConcurrentHashMap<>();
    private final ExecutorService attempts = Executors.newVirtualThreadPerTaskExecutor();
    private final Thread claimer;
    private volatile boolean running = true;

    private ClaimLoop(
            WebhookDeliveries deliveries,
            WebhookSettings settings,
            Clock clock,
            Consumer<WebhookDeliveries.Due> attempt,
            MeterRegistry registry) {
        this.deliveries = deliveries;
        this.settings = settings;
        this.clock = clock;
        this.attempt = attempt;
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
        this.claimer = Thread.ofPlatform().name("askpipe-webhooks").daemon().unstarted(this::run);
    }

    /**
     * Starts claiming from {@code deliveries} under {@code settings}' slots, caps and poll interval;
     * {@code attempt} makes one attempt at a claimed delivery and never throws.
     */
    static ClaimLoop start(
            WebhookDeliveries deliveries,
            WebhookSettings settings,
            Clock clock,
            Consumer<WebhookDeliveries.Due> attempt,
            MeterRegistry registry) {
        ClaimLoop loop = new ClaimLoop(deliveries, settings, clock, attempt, registry);
        loop.claimer.start();
        return loop;
    }

    /** Says that a delivery may have become due: claims at once instead of at the next poll. */
    void wake() {
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
                        attempt.accept(delivery);
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

    /** Stops claiming; waits up to an attempt's timeout for the attempts in flight to end. */
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
    }
}
