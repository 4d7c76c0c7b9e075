package io.askpipe.router.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.chaos.Chaos;
import io.askpipe.common.config.Env;
import io.askpipe.router.backend.BackendCall;
import io.askpipe.router.backend.BackendOutcome;
import io.askpipe.router.backend.dryrun.DryrunBackend;
import io.askpipe.schemas.ErrorType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultyBackendTest {

    private static Chaos chaos(Map<String, String> env, SimpleMeterRegistry registry) {
        return Chaos.of(Chaos.Settings.fromEnv(Env.of(env)), registry, () -> {});
    }

    @Test
    void everyCallFailsAtProbabilityOneAndARetryIsANewPlace() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos always = chaos(Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_FAILURE", "1"), registry);
        FaultyBackend backend = new FaultyBackend(new DryrunBackend(Duration.ZERO), always, "k1");

        BackendOutcome outcome = backend.call(BackendCall.ofPrompt("r1", "hi", null));
        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.errorType()).isEqualTo(ErrorType.UPSTREAM_ERROR);
        assertThat(failed.message()).contains("injected by chaos mode");
        backend.call(BackendCall.ofPrompt("r1", "hi", null));
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void theSameSeedStrikesTheSameCallsAndAStruckAskPassesInTheEnd() throws Exception {
        Map<String, String> env = Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "3", "CHAOS_VENDOR_FAILURE", "0.5");
        java.util.List<String> first = callsUntilAnswered(chaos(env, new SimpleMeterRegistry()));
        java.util.List<String> again = callsUntilAnswered(chaos(env, new SimpleMeterRegistry()));

        assertThat(again).isEqualTo(first);
        assertThat(first).as("some asks needed a retry").anyMatch(calls -> !calls.equals("1"));
    }

    /** For 50 asks, how many calls each needed until one was answered. */
    private static java.util.List<String> callsUntilAnswered(Chaos chaos) throws Exception {
        java.util.List<String> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            FaultyBackend backend = new FaultyBackend(new DryrunBackend(Duration.ZERO), chaos, "k" + i);
            int n = 1;
            while (backend.call(BackendCall.ofPrompt("r" + i, "hi", null)) instanceof BackendOutcome.Failed) {
                n++;
            }
            calls.add(Integer.toString(n));
        }
        return calls;
    }

    @Test
    void withNothingStrikingTheBackendAnswers() throws Exception {
        Chaos quiet = chaos(Map.of("CHAOS_MODE", "1"), new SimpleMeterRegistry());
        FaultyBackend backend = new FaultyBackend(new DryrunBackend(Duration.ZERO), quiet, "k2");

        assertThat(backend.call(BackendCall.ofPrompt("r2", "hi", null))).isInstanceOf(BackendOutcome.Completed.class);
        assertThat(backend.name()).isEqualTo("dryrun");
    }
}
