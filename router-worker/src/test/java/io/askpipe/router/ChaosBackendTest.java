package io.askpipe.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.common.Chaos;
import io.askpipe.common.Env;
import io.askpipe.router.spi.BackendCall;
import io.askpipe.router.spi.BackendOutcome;
import io.askpipe.schemas.AskError;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosBackendTest {

    @Test
    void everyCallFailsAtProbabilityOneAndARetryIsANewPlace() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Chaos always = Chaos.fromEnv(Env.of(Map.of("CHAOS_MODE", "1", "CHAOS_VENDOR_FAILURE", "1")), registry);
        ChaosBackend backend = new ChaosBackend(new DryrunBackend(Duration.ZERO), always);

        BackendOutcome outcome = backend.call(new BackendCall("r1", "hi", null));
        assertThat(outcome).isInstanceOf(BackendOutcome.Failed.class);
        BackendOutcome.Failed failed = (BackendOutcome.Failed) outcome;
        assertThat(failed.errorType()).isEqualTo(AskError.UPSTREAM_ERROR);
        assertThat(failed.message()).contains("injected by chaos mode");
        backend.call(new BackendCall("r1", "hi", null));
        assertThat(registry.get("chaos_events")
                        .tag("fault", "vendor_failure")
                        .counter()
                        .count())
                .isEqualTo(2);
    }

    @Test
    void theSameSeedStrikesTheSameCallsAndAStruckAskPassesInTheEnd() throws Exception {
        Map<String, String> env = Map.of("CHAOS_MODE", "1", "CHAOS_SEED", "3", "CHAOS_VENDOR_FAILURE", "0.5");
        java.util.List<String> first = callsUntilAnswered(Chaos.fromEnv(Env.of(env), new SimpleMeterRegistry()));
        java.util.List<String> again = callsUntilAnswered(Chaos.fromEnv(Env.of(env), new SimpleMeterRegistry()));

        assertThat(again).isEqualTo(first);
        assertThat(first).as("some asks needed a retry").anyMatch(calls -> !calls.equals("1"));
    }

    /** For 50 asks, how many calls each needed until one was answered. */
    private static java.util.List<String> callsUntilAnswered(Chaos chaos) throws Exception {
        ChaosBackend backend = new ChaosBackend(new DryrunBackend(Duration.ZERO), chaos);
        java.util.List<String> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = 1;
            while (backend.call(new BackendCall("r" + i, "hi", null)) instanceof BackendOutcome.Failed) {
                n++;
            }
            calls.add(Integer.toString(n));
        }
        return calls;
    }

    @Test
    void withNothingStrikingTheBackendAnswers() throws Exception {
        Chaos quiet = Chaos.fromEnv(Env.of(Map.of("CHAOS_MODE", "1")), new SimpleMeterRegistry());
        ChaosBackend backend = new ChaosBackend(new DryrunBackend(Duration.ZERO), quiet);

        assertThat(backend.call(new BackendCall("r2", "hi", null))).isInstanceOf(BackendOutcome.Completed.class);
        assertThat(backend.name()).isEqualTo("dryrun");
    }
}
