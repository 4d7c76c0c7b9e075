package io.askpipe.router.route;

import io.askpipe.schemas.ErrorType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's meters, under the names the original system used: {@code ask_latency_ms} (a
 * histogram by backend, buckets sized for LLM calls), {@code ask_errors_total} (by backend and
 * error type) and {@code ask_expired_total} (by backend). Label values are bounded: the {@link AskHandler} labels every ask with a backend of
 * the catalog ({@code ASKPIPE_BACKENDS}), never with a name the client sent.
 */
public final class RouterMetrics {
    private static final double[] LATENCY_BUCKETS_MS = {
        5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000
    };

    private final MeterRegistry registry;
    /** One summary per backend, built once: recording is on every ask's path. */
    private final Map<String, DistributionSummary> latencies = new ConcurrentHashMap<>();

    public RouterMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void latency(String backend, long millis) {
        latencies
                .computeIfAbsent(
                        backend,
                        name -> DistributionSummary.builder("ask_latency_ms")
                                .description("Time spent on one ask's backend calls, retries included, in milliseconds")
                                .tag("backend", name)
                                .serviceLevelObjectives(LATENCY_BUCKETS_MS)
                                .register(registry))
                .record(millis);
    }

    void error(String backend, ErrorType errorType) {
        Counter.builder("ask_errors")
                .description("Asks that ended in a failed result, by backend and error type")
                .tag("backend", backend)
                .tag("error_type", errorType.wireName())
                .register(registry)
                .increment();
    }

    void expired(String backend) {
        Counter.builder("ask_expired")
                .description("Asks that ended expired, their own deadline past before they had an answer, by backend")
                .tag("backend", backend)
                .register(registry)
                .increment();
    }
}
