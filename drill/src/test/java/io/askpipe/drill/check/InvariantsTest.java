package io.askpipe.drill.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.report.DrillReport.Invariant;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InvariantsTest {
    @Test
    void aCleanDrillHoldsEveryInvariantInTheReportsOrder() {
        List<Invariant> invariants =
                Invariants.evaluate(EvidenceBuilder.clean(3).build());

        assertThat(invariants)
                .containsExactly(
                        new Invariant("lost", 0, "0", true),
                        new Invariant("asks_with_two_distinct_results", 0, "0", true),
                        new Invariant("late_retries_not_finding_their_ask", 0, "0", true),
                        new Invariant("refused", 0, "0", true),
                        new Invariant("webhooks_missing", 0, "0", true));
        assertThat(Invariants.allHold(invariants)).isTrue();
    }

    @Test
    void aLostAskAConflictAMissedRetryARefusalAndAMissingWebhookEachFail() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(5);
        evidence.rows.remove("r0");
        evidence.results.put("r1", java.util.Set.of("succeeded|a", "failed|b"));
        evidence.lateRetriesNotFindingTheirAsk = 1;
        evidence.refused.put(7, "400 bad request");
        evidence.webhookDeliveries.remove("msg_r2");
        evidence.webhookDeliveries.remove("msg_r3");

        List<Invariant> invariants = Invariants.evaluate(evidence.build());

        assertThat(invariants)
                .containsExactly(
                        new Invariant("lost", 1, "0", false),
                        new Invariant("asks_with_two_distinct_results", 1, "0", false),
                        new Invariant("late_retries_not_finding_their_ask", 1, "0", false),
                        new Invariant("refused", 1, "0", false),
                        new Invariant("webhooks_missing", 2, "0", false));
        assertThat(Invariants.allHold(invariants)).isFalse();
    }

    @Test
    void webhooksAreCheckedOnlyWhenAsksCarriedACallback() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.webhooksExpected = false;
        evidence.webhookDeliveries.clear();

        assertThat(Invariants.evaluate(evidence.build()))
                .extracting(Invariant::name)
                .doesNotContain("webhooks_missing");
    }

    @Test
    void aReplayMustRedeliverWithoutCallingTheBackendOrChangingAView() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.replay = Optional.of(new ReplayOutcome("beginning", 2, 2, 0L, 0));

        assertThat(Invariants.evaluate(evidence.build()))
                .endsWith(
                        new Invariant("replay_redelivered", 2, "at least 1", true),
                        new Invariant("replay_backend_calls", 0, "0", true),
                        new Invariant("replay_views_changed", 0, "0", true));

        evidence.replay = Optional.of(new ReplayOutcome("beginning", 0, 0, 3L, 1));

        List<Invariant> failed = Invariants.evaluate(evidence.build());
        assertThat(failed)
                .endsWith(
                        new Invariant("replay_redelivered", 0, "at least 1", false),
                        new Invariant("replay_backend_calls", 3, "0", false),
                        new Invariant("replay_views_changed", 1, "0", false));
        assertThat(Invariants.allHold(failed)).isFalse();
    }

    @Test
    void aReplayAgainstARunningDeploymentDoesNotCheckBackendCallsItCannotSee() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.replay = Optional.of(new ReplayOutcome("key:k1", 1, 1, null, 0));

        assertThat(Invariants.evaluate(evidence.build()))
                .extracting(Invariant::name)
                .contains("replay_redelivered", "replay_views_changed")
                .doesNotContain("replay_backend_calls");
    }
}
