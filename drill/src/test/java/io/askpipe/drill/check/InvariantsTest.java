package io.askpipe.drill.check;

import static io.askpipe.drill.check.EvidenceBuilder.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.load.Load;
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
                        new Invariant("cancels_refused", 0, "0", true),
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
                        new Invariant("cancels_refused", 0, "0", true),
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

    @Test
    void aCallStartedWellAfterTheLatestDeadlineFailsAndOneWithinTheSlackDoesNot() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        // ask 1 accepted at 1,000 with expires_after 2: its deadline is at 3,000 at the latest
        evidence.accepted.set(1, new Load.Accepted(1, "drill-t-1", prompt(1), "r1", 1_000, 1_000, 2));
        evidence.llmCalls
                .orElseThrow()
                .put(prompt(1), List.of(1_010L, 3_000L + Evidence.CALL_SLACK_MS, 3_001L + Evidence.CALL_SLACK_MS));
        evidence.rows.put("r1", EvidenceBuilder.row("expired", 3_000));

        List<Invariant> invariants = Invariants.evaluate(evidence.build());

        assertThat(invariants).contains(new Invariant("backend_calls_after_deadline", 1, "0", false));
        assertThat(evidence.build().asks().expired()).isEqualTo(1);
    }

    @Test
    void aCallAfterAnAcknowledgedCancelAndACancelShownOtherwiseFail() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(4);
        evidence.cancels.add(new Load.Cancel(1, "r1", 200, 2_000));
        evidence.cancels.add(new Load.Cancel(2, "r2", 202, 2_500));
        evidence.cancels.add(new Load.Cancel(3, "r3", 409, 3_100));
        evidence.rows.put("r1", EvidenceBuilder.row("succeeded", 2_100)); // told cancelled, shows succeeded
        evidence.rows.put("r2", EvidenceBuilder.row("cancelled", 2_600));
        evidence.llmCalls.orElseThrow().put(prompt(2), List.of(2_010L, 2_500L + Evidence.CALL_SLACK_MS + 1));
        // ask 3 had finished before its cancel: a call after a 409 breaks nothing
        evidence.llmCalls.orElseThrow().put(prompt(3), List.of(3_010L, 9_000L));
        evidence.cancelsRefused.put(4, "404 not found");

        List<Invariant> invariants = Invariants.evaluate(evidence.build());

        assertThat(invariants)
                .contains(
                        new Invariant("cancels_refused", 1, "0", false),
                        new Invariant("backend_calls_after_cancel", 1, "0", false),
                        new Invariant("cancelled_but_shown_otherwise", 1, "0", false));
        assertThat(evidence.build().asks().cancelled()).isEqualTo(1);
    }
}
