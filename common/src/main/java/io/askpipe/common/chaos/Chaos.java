package io.askpipe.common.chaos;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.config.Setting;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
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
 * is counted, and {@link #strikes} and {@link #strikesAgain} return false at once; {@link
 * #fromEnv} then gives {@link FaultInjector#NONE} instead. Only wiring (a service's main, the dev
 * stack, the drill) builds one: services see a {@link FaultInjector}.
 *
 * <p>Two ways to name a place. {@link #strikes} takes the place as it is, for work whose attempt
 * number is known anyway (a webhook attempt, persisted) or that happens once. {@link #strikesAgain}
 * takes a key (an ask's id) and numbers the strikes at it, {@code <key>#<n>}: work retried or
 * batched differently from run to run still meets the same sequence of strikes per key.
 */
public final class Chaos implements FaultInjector {
    private static final Logger LOG = LoggerFactory.getLogger(Chaos.class);
    /** Keys {@link #strikesAgain} remembers per fault, at most, and for how long after their last use. */
    private static final int REMEMBERED_KEYS = 100_000;

    private static final Duration REMEMBERED_FOR = Duration.ofHours(1);

    /**
     * Chaos mode as the environment sets it, before it has a meter registry.
     *
     * @param enabled {@code CHAOS_MODE}
     * @param seed {@code CHAOS_SEED}
     * @param probabilities per fault, 0 to 1
     * @param vendorDelay {@code CHAOS_VENDOR_LATENCY_MS}
     */
    public record Settings(boolean enabled, long seed, Map<Fault, Double> probabilities, Duration vendorDelay) {
        public static final Setting<Boolean> MODE =
                Setting.flag("CHAOS_MODE").defaultsTo("0").doc("`1`: inject faults as the probabilities say");
        public static final Setting<Long> SEED = Setting.longInteger("CHAOS_SEED", Long.MIN_VALUE, Long.MAX_VALUE)
                .defaultsTo("0")
                .doc("the seed every strike is computed from");
        /** {@code CHAOS_<FAULT>}: one variable per {@link Fault}, named by {@link #variable(Fault)}. */
        public static final Setting<Double> PROBABILITY = Setting.of(
                        "CHAOS_<FAULT>", "probability", "0..1", Chaos::probability)
                .defaultsTo("0")
                .doc("probability (0-1) that the fault strikes at a place");

        public static final Setting<Duration> VENDOR_LATENCY = Setting.millis("CHAOS_VENDOR_LATENCY_MS", 0, 600_000)
                .defaultsTo("2000")
                .doc("router: the delay an injected vendor latency adds");

        public Settings {
            Map<Fault, Double> all = new EnumMap<>(Fault.class);
            for (Fault fault : Fault.values()) {
                all.put(fault, probabilities.getOrDefault(fault, 0.0));
            }
            probabilities = Collections.unmodifiableMap(all);
        }

        /** Chaos off. */
        public static Settings off() {
            return new Settings(false, 0, Map.of(), VENDOR_LATENCY.defaultValue());
        }

        /**
         * {@code CHAOS_MODE} (0 or 1), {@code CHAOS_SEED} (default 0), a probability per fault (0 to
         * 1, default 0) and {@code CHAOS_VENDOR_LATENCY_MS} (default 2000), the delay an injected
         * latency adds.
         */
        public static Settings fromEnv(Env env) {
            boolean enabled = env.get(MODE);
            long seed = env.get(SEED);
            Map<Fault, Double> probabilities = new EnumMap<>(Fault.class);
            for (Fault fault : Fault.values()) {
                probabilities.put(fault, env.get(probability(fault)));
            }
            return new Settings(enabled, seed, probabilities, env.get(VENDOR_LATENCY));
        }

        /** The setting of {@code fault}'s probability, {@code CHAOS_<FAULT>}. */
        public static Setting<Double> probability(Fault fault) {
            return PROBABILITY.forKey(fault.name());
        }

        /** The settings {@link #fromEnv} reads: one probability per fault. */
        public static List<Setting<?>> settings() {
            List<Setting<?>> settings = new ArrayList<>(List.of(MODE, SEED));
            for (Fault fault : Fault.values()) {
                settings.add(probability(fault));
            }
            settings.add(VENDOR_LATENCY);
            return List.copyOf(settings);
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
    private final Runnable crash;

    private Chaos(Settings settings, MeterRegistry registry, Runnable crash) {
        this.crash = crash;
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

    /** The exit status of a service process that chaos mode crashed ({@link Fault#WORKER_CRASH}). */
    public static final int CRASH_STATUS = 75;

    /**
     * The crash of a service in a process of its own: the process halts at once with {@link
     * #CRASH_STATUS}, running no shutdown hooks and committing nothing, as a killed process would.
     */
    public static final Runnable HALT_PROCESS = () -> Runtime.getRuntime().halt(CRASH_STATUS);

    /**
     * The fault injector {@code env} asks for: {@link FaultInjector#NONE} unless {@code CHAOS_MODE}
     * is on, else chaos as {@link Settings#fromEnv} reads it, counted in {@code registry}, whose
     * crashes halt the process ({@link #HALT_PROCESS}).
     */
    public static FaultInjector fromEnv(Env env, MeterRegistry registry) {
        return injector(Settings.fromEnv(env), registry, HALT_PROCESS);
    }

    /** {@link FaultInjector#NONE} unless {@code settings} enable chaos, else {@link #of}. */
    public static FaultInjector injector(Settings settings, MeterRegistry registry, Runnable crash) {
        return settings.enabled() ? of(settings, registry, crash) : FaultInjector.NONE;
    }

    /**
     * Chaos as {@code settings} say, counted in {@code registry}, crashing with {@code crash}; says
     * so in the log when it is on.
     */
    public static Chaos of(Settings settings, MeterRegistry registry, Runnable crash) {
        Chaos chaos = new Chaos(settings, registry, crash);
        if (settings.enabled()) {
            LOG.warn("chaos mode is on: seed {}, probabilities {}", settings.seed(), settings.probabilities());
        }
        return chaos;
    }

    /** {@link #of(Settings, MeterRegistry, Runnable)} whose crashes halt the process. */
    public static Chaos of(Settings settings, MeterRegistry registry) {
        return of(settings, registry, HALT_PROCESS);
    }

    /** The environment variable holding {@code fault}'s probability: {@code CHAOS_<FAULT>}. */
    public static String variable(Fault fault) {
        return Settings.probability(fault).name();
    }

    private static double probability(String name, String raw) {
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

    /** Whether chaos mode is on; when it is off, nothing strikes. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Whether {@code fault} strikes at {@code place} (e.g. {@code <delivery id>:<attempt>}): the same
     * answer for the same seed, fault and place. A strike is counted and logged.
     */
    @Override
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
    @Override
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

    /**
     * Sleeps the delay a struck {@link Fault#VENDOR_LATENCY} adds ({@code CHAOS_VENDOR_LATENCY_MS}),
     * recording it; interruptible, as a slow call would be. Other faults delay nothing.
     */
    @Override
    public void delay(Fault fault) throws InterruptedException {
        if (fault != Fault.VENDOR_LATENCY) {
            return;
        }
        long started = System.nanoTime();
        try {
            Thread.sleep(vendorDelay);
        } finally {
            latency.record(Duration.ofNanos(System.nanoTime() - started));
        }
    }

    /** Runs the crash this chaos was given: the process halts, or the wiring halts a service. */
    @Override
    public void crash() {
        crash.run();
    }
}
