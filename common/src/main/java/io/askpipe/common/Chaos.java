package io.askpipe.common;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeded fault injection ({@code CHAOS_MODE=1}). Whether a fault strikes is a function of the
 * seed, the fault and a key that names the place (an ask's id and attempt), never of timing or
 * thread order: the same seed strikes the same places in every run. Each fault has its own
 * probability; every strike counts in {@code chaos_events_total{fault}} and says so in the log,
 * injected latency is recorded in {@code chaos_latency_seconds}. With chaos off nothing is wrapped
 * and nothing is counted.
 */
public final class Chaos {
    private static final Logger LOG = LoggerFactory.getLogger(Chaos.class);

    /** The faults, by the label they carry in {@code chaos_events_total}. */
    public enum Fault {
        /** A backend call answers late ({@code CHAOS_VENDOR_LATENCY}). */
        VENDOR_LATENCY("vendor_latency", "CHAOS_VENDOR_LATENCY"),
        /** A backend call fails as an upstream error would ({@code CHAOS_VENDOR_FAILURE}). */
        VENDOR_FAILURE("vendor_failure", "CHAOS_VENDOR_FAILURE");

        private final String label;
        private final String variable;

        Fault(String label, String variable) {
            this.label = label;
            this.variable = variable;
        }

        public String label() {
            return label;
        }
    }

    private final boolean enabled;
    private final long seed;
    private final Map<Fault, Double> probabilities;
    private final Duration vendorDelay;
    private final Map<Fault, Counter> events = new EnumMap<>(Fault.class);
    private final Timer latency;

    private Chaos(
            boolean enabled,
            long seed,
            Map<Fault, Double> probabilities,
            Duration vendorDelay,
            MeterRegistry registry) {
        this.enabled = enabled;
        this.seed = seed;
        this.probabilities = probabilities;
        this.vendorDelay = vendorDelay;
        for (Fault fault : Fault.values()) {
            events.put(
                    fault,
                    Counter.builder("chaos_events")
                            .description("Faults injected by chaos mode")
                            .tag("fault", fault.label())
                            .register(registry));
        }
        this.latency = Timer.builder("chaos_latency_seconds")
                .description("Latency injected by chaos mode")
                .register(registry);
    }

    /**
     * Chaos as {@code env} sets it: {@code CHAOS_MODE} (0 or 1), {@code CHAOS_SEED} (default 0), a
     * probability per fault (0 to 1, default 0) and {@code CHAOS_VENDOR_LATENCY_MS} (default 2000),
     * the delay an injected latency adds.
     */
    public static Chaos fromEnv(Env env, MeterRegistry registry) {
        boolean enabled = env.bool("CHAOS_MODE", false);
        long seed = env.longValue("CHAOS_SEED", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        Map<Fault, Double> probabilities = new EnumMap<>(Fault.class);
        for (Fault fault : Fault.values()) {
            probabilities.put(fault, probability(env, fault.variable));
        }
        Duration delay = Duration.ofMillis(env.longValue("CHAOS_VENDOR_LATENCY_MS", 2_000, 0, 600_000));
        Chaos chaos = new Chaos(enabled, seed, probabilities, delay, registry);
        if (enabled) {
            LOG.warn("chaos mode is on: seed {}, probabilities {}", seed, probabilities);
        }
        return chaos;
    }

    private static double probability(Env env, String name) {
        String raw = env.string(name, "0");
        try {
            double p = Double.parseDouble(raw);
            if (p >= 0 && p <= 1) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(name + " must be a probability between 0 and 1, got '" + raw + "'");
    }

    /** Whether chaos mode is on; when it is off, callers wrap nothing. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether {@code fault} strikes at {@code place} (e.g. {@code <request id>:<backend>:<attempt>}):
     * the same answer for the same seed, fault and place. A strike is counted and logged.
     */
    public boolean strikes(Fault fault, String place) {
        if (!enabled) {
            return false;
        }
        double p = probabilities.get(fault);
        if (p == 0) {
            return false;
        }
        long mixed = seed ^ (31L * fault.ordinal() + 1) * 0x9E3779B97F4A7C15L ^ place.hashCode() * 0xC2B2AE3D27D4EB4FL;
        if (new SplittableRandom(mixed).nextDouble() >= p) {
            return false;
        }
        events.get(fault).increment();
        LOG.warn("chaos: injected {} at {}", fault.label(), place);
        return true;
    }

    /** Sleeps the injected vendor delay, recording it; interruptible, as a slow call would be. */
    public void delayVendor() throws InterruptedException {
        long started = System.nanoTime();
        try {
            Thread.sleep(vendorDelay);
        } finally {
            latency.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }
}
