package io.askpipe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosTest {

    private static Chaos chaos(Map<String, String> env, SimpleMeterRegistry registry) {
        return Chaos.fromEnv(Env.of(env), registry);
    }

    private static List<Integer> strikes(Chaos chaos, Chaos.Fault fault) {
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
        List<Integer> first = strikes(chaos(env, new SimpleMeterRegistry()), Chaos.Fault.VENDOR_FAILURE);
        List<Integer> again = strikes(chaos(env, new SimpleMeterRegistry()), Chaos.Fault.VENDOR_FAILURE);
        List<Integer> otherSeed = strikes(
                chaos(
                        Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "43", "CHAOS_VENDOR_FAILURE", "0.2"),
                        new SimpleMeterRegistry()),
                Chaos.Fault.VENDOR_FAILURE);

        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first.size()).as("about a fifth of 1000 places").isBetween(150, 250);
    }

    @Test
    void faultsAreIndependentAndEveryStrikeIsCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos chaos = chaos(
                Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_FAILURE", "0.5", "CHAOS_VENDOR_LATENCY", "0.5"), registry);
        List<Integer> failures = strikes(chaos, Chaos.Fault.VENDOR_FAILURE);
        List<Integer> latencies = strikes(chaos, Chaos.Fault.VENDOR_LATENCY);

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
        assertThat(strikes(chaos, Chaos.Fault.VENDOR_FAILURE)).isEmpty();
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .isZero();
    }

    @Test
    void anInjectedDelayIsRecorded() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos chaos = chaos(Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_LATENCY_MS", "20"), registry);
        chaos.delayVendor();

        var timer = registry.get("chaos_latency_seconds").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(20);
    }

    @Test
    void aProbabilityOutsideZeroToOneIsABadSetting() {
        assertThatThrownBy(() -> chaos(Map.of("CHAOS_VENDOR_FAILURE", "1.5"), new SimpleMeterRegistry()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("CHAOS_VENDOR_FAILURE must be a probability between 0 and 1, got '1.5'");
    }
}
