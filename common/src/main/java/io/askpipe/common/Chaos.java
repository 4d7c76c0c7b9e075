package io.askpipe.common;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeded fault injection ({@code CHAOS_MODE=1}). Whether a fault strikes is a function of the
 * seed, the fault and a key that names the place, never of timing or thread order: the same seed
 * strikes the same places in every run. Each fault has its own probability; every strike counts in
 * {@code chaos_events_total{fault}} and says so in the log as {@code chaos: injected <fault> at
 * <place>}; injected latency is recorded in {@code chaos_latency_seconds}. With chaos off nothing
 * is wrapped, nothing is counted, and {@link #strikes} and {@link #strikesAgain} return false at
 * once.
 *
 * <p>Two ways to name a place. {@link #strikes} takes the place as it is, for work whose attempt
 * number is known anyway (a webhook attempt, persisted) or that happens once. {@link #strikesAgain}
 * takes a key (an ask's id) and numbers the strikes at it, {@code <key>#<n>}: work retried or
 * batched differently from run to run still meets the same sequence of strikes per key.
 */
public final class Chaos {
    private static final Logger LOG = LoggerFactory.getLogger(Chaos.class);
    /** Keys {@link #strikesAgain} remembers per fault, at most, and for how long after their last use. */
    private static final int REMEMBERED_KEYS = 100_000;

    private static final Duration REMEMBERED_FOR = Duration.ofHours(1);

    /** The faults, by the label they carry in {@code chaos_events_total}. */
    public enum Fault {
        /** A backend call answers late ({@code CHAOS_VENDOR_LATENCY}; router). */
        VENDOR_LATENCY("vendor_latency", "CHAOS_VENDOR_LATENCY"),
        /** A backend call fails as an upstream error would ({@code CHAOS_VENDOR_FAILURE}; router). */
        VENDOR_FAILURE("vendor_failure", "CHAOS_VENDOR_FAILURE"),
        /** A client's ask is not acknowledged by Kafka ({@code CHAOS_INGEST_PUBLISH_FAILURE}; ingest). */
        INGEST_PUBLISH_FAILURE("ingest_publish_failure", "CHAOS_INGEST_PUBLISH_FAILURE"),
        /** A batch write to the store's database fails ({@code CHAOS_STORE_FAILURE}; result store). */
        STORE_FAILURE("store_failure", "CHAOS_STORE_FAILURE"),
        /** A webhook attempt fails as a connection error would ({@code CHAOS_WEBHOOK_FAILURE}; result store). */
        WEBHOOK_FAILURE("webhook_failure", "CHAOS_WEBHOOK_FAILURE"),
        /** The worker dies after keeping a fresh result, before publishing it ({@code CHAOS_WORKER_CRASH}; router). */
        WORKER_CRASH("worker_crash", "CHAOS_WORKER_CRASH");

        private final String label;
        private final String variable;

        Fault(String label, String variable) {
            this.label = label;
            this.variable = variable;
        }

        /** The fault's {@code fault} tag and its name in the log line. */
        public String label() {
            return label;
        }

        /** The environment variable holding the fault's probability. */
        public String variable() {
            return variable;
        }
    }

    /**
     * Chaos mode as the environment sets it, before it has a meter registry.
     *
     * @param enabled {@code CHAOS_MODE}
     * @param seed {@code CHAOS_SEED}
     * @param probabilities per fault, 0 to 1
     * @param vendorDelay {@code CHAOS_VENDOR_LATENCY_MS}
     */
    public record Settings(boolean enabled, long seed, Map<Fault, Double> probabilities, Duration vendorDelay) {
        public Settings {
            Map<Fault, Double> all = new EnumMap<>(Fault.class);
            for (Fault fault : Fault.values()) {
                all.put(fault, probabilities.getOrDefault(fault, 0.0));
            }
            probabilities = Collections.unmodifiableMap(all);
        }

        /** Chaos off. */
        public static Settings off() {
            return new Settings(false, 0, Map.of(), Duration.ofSeconds(2));
        }

        /**
         * {@code CHAOS_MODE} (0 or 1), {@code CHAOS_SEED} (default 0), a probability per fault (0 to
         * 1, default 0) and {@code CHAOS_VENDOR_LATENCY_MS} (default 2000), the delay an injected
         * latency adds.
         */
        public static Settings fromEnv(Env env) {
            boolean enabled = env.bool("CHAOS_MODE", false);
            long seed = env.longValue("CHAOS_SEED", 0, Long.MIN_VALUE, Long.MAX_VALUE);
            Map<Fault, Double> probabilities = new EnumMap<>(Fault.class);
            for (Fault fault : Fault.values()) {
                probabilities.put(fault, probability(env, fault.variable));
            }
            Duration delay = Duration.ofMillis(env.longValue("CHAOS_VENDOR_LATENCY_MS", 2_000, 0, 600_000));
            return new Settings(enabled, seed, probabilities, delay);
        }
    }

    private final boolean enabled;
    private final long seed;
    private final Map<Fault, Double> probabilities;
    private final Duration vendorDelay;
    private final Map<Fault, Counter> events = new EnumMap<>(Fault.class);
    /** Strikes so far per fault and key, for {@link #strikesAgain}; only with chaos on. */
    private final Map<Fault, Cache<String, AtomicInteger>> struck = new EnumMap<>(Fault.class);

    private final Timer latency;

    private Chaos(Settings settings, MeterRegistry registry) {
        this.enabled = settings.enabled();
        this.seed = settings.seed();
        this.probabilities = settings.probabilities();
        this.vendorDelay = settings.vendorDelay();
        for (Fault fault : Fault.values()) {
            events.put(
                    fault,
                    Counter.builder("chaos_events")
                            .description("Faults injected by chaos mode")
                            .tag("fault", fault.label())
                            .register(registry));
            if (enabled) {
                struck.put(
                        fault,
                        Caffeine.newBuilder()
                                .maximumSize(REMEMBERED_KEYS)
                                .expireAfterAccess(REMEMBERED_FOR)
                                .build());
            }
        }
        this.latency = Timer.builder("chaos_latency_seconds")
                .description("Latency injected by chaos mode")
                .register(registry);
    }

    /** Chaos as {@code env} sets it ({@link Settings#fromEnv}), counted in {@code registry}. */
    public static Chaos fromEnv(Env env, MeterRegistry registry) {
        return of(Settings.fromEnv(env), registry);
    }

    /** Chaos as {@code settings} say, counted in {@code registry}; says so in the log when it is on. */
    public static Chaos of(Settings settings, MeterRegistry registry) {
        Chaos chaos = new Chaos(settings, registry);
        if (settings.enabled()) {
            LOG.warn("chaos mode is on: seed {}, probabilities {}", settings.seed(), settings.probabilities());
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

    /**
     * Whether chaos mode is on; when it is off, callers wrap nothing, and a caller that must build a
     * place string asks this first so that nothing is built.
     */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether {@code fault} strikes at {@code place} (e.g. {@code <delivery id>:<attempt>}): the same
     * answer for the same seed, fault and place. A strike is counted and logged.
     */
    public boolean strikes(Fault fault, String place) {
        if (!enabled) {
            return false;
        }
        double p = probabilities.get(fault);
        if (p == 0 || !falls(fault, place, p)) {
            return false;
        }
        struck(fault, place);
        return true;
    }

    /**
     * Whether {@code fault} strikes the work named {@code key} (an ask's id) this time, for work that
     * is retried until it passes: the place is {@code <key>#<n>}, {@code n} being how often {@code
     * fault} has struck at {@code key} in this process so far. Only a strike moves on to the next
     * place, so how many times in a row a key is struck depends on the seed alone, not on how often
     * the surrounding work was retried or with what it was batched; below probability 1 every key
     * eventually passes. Keys are forgotten an hour after their last use (or when 100,000 others
     * are newer), after which they start again at {@code #0}. A strike is counted and logged.
     */
    public boolean strikesAgain(Fault fault, String key) {
        if (!enabled) {
            return false;
        }
        double p = probabilities.get(fault);
        if (p == 0) {
            return false;
        }
        AtomicInteger strikes = struck.get(fault).get(key, k -> new AtomicInteger());
        synchronized (strikes) {
            String place = key + "#" + strikes.get();
            if (!falls(fault, place, p)) {
                return false;
            }
            strikes.incrementAndGet();
            struck(fault, place);
            return true;
        }
    }

    private boolean falls(Fault fault, String place, double p) {
        long mixed = seed ^ (31L * fault.ordinal() + 1) * 0x9E3779B97F4A7C15L ^ place.hashCode() * 0xC2B2AE3D27D4EB4FL;
        return new SplittableRandom(mixed).nextDouble() < p;
    }

    private void struck(Fault fault, String place) {
        events.get(fault).increment();
        LOG.warn("chaos: injected {} at {}", fault.label(), place);
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
