package io.askpipe.common.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.askpipe.common.config.ConfigException;
import io.askpipe.common.config.Env;
import io.askpipe.common.fault.Fault;
import io.askpipe.common.fault.FaultInjector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosTest {

    private static Chaos chaos(Map<String, String> env, SimpleMeterRegistry registry) {
        return Chaos.of(Chaos.Settings.fromEnv(Env.of(env)), registry, () -> {});
    }

    private static List<Integer> strikes(Chaos chaos, Fault fault) {
        List<Integer> struck = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            if (chaos.strikes(fault, "ask-" + i + ":dryrun:1")) {
                struck.add(i);
            }
        }
        return struck;
    }

    @Test
    void theSameSeedStrikesTheSamePlacesAndAnotherSeedOthers() {
        Map<String, String> env = Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "42", "CHAOS_VENDOR_FAILURE", "0.2");
        List<Integer> first = strikes(chaos(env, new SimpleMeterRegistry()), Fault.VENDOR_FAILURE);
        List<Integer> again = strikes(chaos(env, new SimpleMeterRegistry()), Fault.VENDOR_FAILURE);
        List<Integer> otherSeed = strikes(
                chaos(
                        Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "43", "CHAOS_VENDOR_FAILURE", "0.2"),
                        new SimpleMeterRegistry()),
                Fault.VENDOR_FAILURE);

        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first.size()).as("about a fifth of 1000 places").isBetween(150, 250);
    }

    @Test
    void faultsAreIndependentAndEveryStrikeIsCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos chaos = chaos(
                Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_FAILURE", "0.5", "CHAOS_VENDOR_LATENCY", "0.5"), registry);
        List<Integer> failures = strikes(chaos, Fault.VENDOR_FAILURE);
        List<Integer> latencies = strikes(chaos, Fault.VENDOR_LATENCY);

        assertThat(failures).isNotEqualTo(latencies);
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .isEqualTo(failures.size());
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_latency")
                        .counter()
                        .count())
                .isEqualTo(latencies.size());
    }

    @Test
    void offStrikesNothingWhateverTheProbabilities() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos chaos = chaos(Map.of("CHAOS_VENDOR_FAILURE", "1"), registry);

        assertThat(chaos.enabled()).isFalse();
        assertThat(strikes(chaos, Fault.VENDOR_FAILURE)).isEmpty();
        assertThat(chaos.strikesAgain(Fault.VENDOR_FAILURE, "ask-1")).isFalse();
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .isZero();
    }

    /** Places struck by {@code strikesAgain}, retrying each of 200 keys until it passes. */
    private static List<String> retriedUntilPassing(Chaos chaos, Fault fault) {
        List<String> struck = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = 0;
            while (chaos.strikesAgain(fault, "ask-" + i)) {
                struck.add("ask-" + i + "#" + n++);
            }
        }
        return struck;
    }

    @Test
    void strikesAgainGivesTheSameSeedTheSamePlacesAndEveryKeyPassesInTheEnd() {
        Map<String, String> env = Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "42", "CHAOS_STORE_FAILURE", "0.5");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        List<String> first = retriedUntilPassing(chaos(env, registry), Fault.STORE_FAILURE);
        List<String> again = retriedUntilPassing(chaos(env, new SimpleMeterRegistry()), Fault.STORE_FAILURE);

        assertThat(again).isEqualTo(first);
        assertThat(first).as("about as many strikes as keys at p=0.5").hasSizeBetween(120, 300);
        assertThat(first).as("some keys are struck twice in a row").anyMatch(place -> place.endsWith("#1"));
        assertThat(registry.get("chaos_events")
                        .tag("fault", "store_failure")
                        .counter()
                        .count())
                .isEqualTo(first.size());
    }

    @Test
    void strikesAgainDoesNotDependOnHowOftenAPassingKeyIsAsked() {
        Map<String, String> env = Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "9", "CHAOS_STORE_FAILURE", "0.5");
        Chaos once = chaos(env, new SimpleMeterRegistry());
        Chaos often = chaos(env, new SimpleMeterRegistry());
        for (int i = 0; i < 100; i++) {
            String key = "ask-" + i;
            // as in a batch retried because of other asks: a key that passed is asked again and again
            List<Boolean> single = new ArrayList<>();
            List<Boolean> repeated = new ArrayList<>();
            boolean struck;
            do {
                struck = once.strikesAgain(Fault.STORE_FAILURE, key);
                single.add(struck);
            } while (struck);
            do {
                struck = often.strikesAgain(Fault.STORE_FAILURE, key);
                repeated.add(struck);
            } while (struck);
            for (int extra = 0; extra < 3; extra++) {
                assertThat(often.strikesAgain(Fault.STORE_FAILURE, key))
                        .as("a key that passed passes until it is struck again")
                        .isFalse();
            }
            assertThat(repeated).isEqualTo(single);
        }
    }

    @Test
    void strikesAgainKeepsEachFaultsCountApart() {
        Chaos chaos = chaos(
                Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_FAILURE", "1", "CHAOS_VENDOR_LATENCY", "1"),
                new SimpleMeterRegistry());
        assertThat(chaos.strikesAgain(Fault.VENDOR_FAILURE, "k")).isTrue();
        assertThat(chaos.strikesAgain(Fault.VENDOR_FAILURE, "k")).isTrue();
        assertThat(chaos.strikesAgain(Fault.VENDOR_LATENCY, "k")).isTrue();
        assertThat(chaos.strikesAgain(Fault.STORE_FAILURE, "k"))
                .as("probability 0")
                .isFalse();
    }

    @Test
    void everyFaultReadsItsOwnVariable() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Map<String, String> env = new java.util.HashMap<>(Map.of("CHAOS_MODE", "1"));
        for (Fault fault : Fault.values()) {
            env.put(Chaos.variable(fault), "1");
        }
        Chaos chaos = chaos(env, registry);
        for (Fault fault : Fault.values()) {
            assertThat(chaos.strikes(fault, "p")).as(fault.label()).isTrue();
            assertThat(registry.get("chaos_events")
                            .tag("fault", fault.label())
                            .counter()
                            .count())
                    .isEqualTo(1);
        }
        assertThat(Fault.values())
                .extracting(Fault::label)
                .containsExactly(
                        "vendor_latency",
                        "vendor_failure",
                        "ingest_publish_failure",
                        "store_failure",
                        "webhook_failure",
                        "worker_crash");
    }

    @Test
    void anInjectedDelayIsRecorded() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos chaos = chaos(Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_LATENCY_MS", "20"), registry);
        chaos.delay(Fault.VENDOR_LATENCY);
        chaos.delay(Fault.STORE_FAILURE); // delays nothing

        var timer = registry.get("chaos_latency_seconds").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(20);
    }

    @Test
    void theEnvironmentGivesNoInjectorAtAllUnlessChaosModeIsOn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertThat(Chaos.fromEnv(Env.of(Map.of("CHAOS_VENDOR_FAILURE", "1")), registry))
                .isSameAs(FaultInjector.NONE);
        assertThat(registry.find("chaos_events").counters())
                .as("nothing counted, not even zeros")
                .isEmpty();
        assertThat(Chaos.fromEnv(Env.of(Map.of("CHAOS_MODE", "1")), registry)).isInstanceOf(Chaos.class);
    }

    @Test
    void aCrashRunsTheCrashItsWiringGaveIt() {
        java.util.concurrent.atomic.AtomicInteger crashes = new java.util.concurrent.atomic.AtomicInteger();
        Chaos chaos = Chaos.of(
                Chaos.Settings.fromEnv(Env.of(Map.of("CHAOS_MODE", "1"))),
                new SimpleMeterRegistry(),
                crashes::incrementAndGet);
        chaos.crash();
        assertThat(crashes).hasValue(1);
    }

    @Test
    void aProbabilityOutsideZeroToOneIsABadSetting() {
        assertThatThrownBy(() -> chaos(Map.of("CHAOS_VENDOR_FAILURE", "1.5"), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("CHAOS_VENDOR_FAILURE must be a probability between 0 and 1, got '1.5'");
    }
}
