package io.askpipe.router.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The meters of the provider limits, by backend: {@code router_permit_wait} (time an ask waited
 * for a permit, a histogram), {@code router_permits_in_use} (calls holding a permit on this
 * worker), {@code router_asks_waiting} (asks waiting for a permit on this worker) and {@code
 * router_provider_pauses} (pauses a provider's 429 caused). Thread-safe.
 */
final class LimitMetrics {
    private final MeterRegistry registry;
    private final Map<String, Timer> waits = new ConcurrentHashMap<>();
    private final Map<String, Counter> pauses = new ConcurrentHashMap<>();
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();

    LimitMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Registers the gauges of {@code backend}: its asks waiting and its permits in use. */
    void gauges(String backend, Supplier<Number> waiting, Supplier<Number> inUse) {
        gauges.add(Gauge.builder("router_asks_waiting", waiting)
                .description("Asks waiting for a permit to call the backend, on this worker")
                .tag("backend", backend)
                .register(registry));
        gauges.add(Gauge.builder("router_permits_in_use", inUse)
                .description("Calls to the backend holding a permit (concurrent calls), on this worker")
                .tag("backend", backend)
                .register(registry));
    }

    void waited(String backend, Duration waited) {
        waits.computeIfAbsent(
                        backend,
                        name -> Timer.builder("router_permit_wait")
                                .description(
                                        "Time an ask waited for a permit to call the backend (its limits, a pause)")
                                .tag("backend", name)
                                .publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(1))
                                .maximumExpectedValue(Duration.ofMinutes(10))
                                .register(registry))
                .record(waited);
    }

    void paused(String backend) {
        pauses.computeIfAbsent(
                        backend,
                        name -> Counter.builder("router_provider_pauses")
                                .description(
                                        "Pauses of the backend for every worker, asked for by its 429 (Retry-After)")
                                .tag("backend", name)
                                .register(registry))
                .increment();
    }

    /** Removes the gauges, whose values a stopped worker no longer keeps. */
    void close() {
        gauges.forEach(registry::remove);
    }
}
