package io.askpipe.drill.check;

import static io.askpipe.drill.check.EvidenceBuilder.prompt;
import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.load.Load;
import io.askpipe.drill.report.DrillReport.BackendCalls;
import io.askpipe.drill.report.DrillReport.Invariant;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.ServiceMemory;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    void aServiceThatExitedOutOfMemoryFailsOnlyWhereTheDrillRanTheProcesses() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        assertThat(Invariants.evaluate(evidence.build()))
                .as("against a running deployment")
                .extracting(Invariant::name)
                .doesNotContain("out_of_memory");

        evidence.memory.put("ingest-api", new ServiceMemory(180.5, 0));
        evidence.memory.put("router-worker-1", new ServiceMemory(120.0, 0));
        List<Invariant> held = Invariants.evaluate(evidence.build());
        assertThat(held).endsWith(new Invariant("out_of_memory", 0, "0", true));
        assertThat(Invariants.allHold(held)).isTrue();

        evidence.memory.put("router-worker-1", new ServiceMemory(120.0, 2));
        evidence.memory.put("result-store", new ServiceMemory(250.0, 1));
        List<Invariant> failed = Invariants.evaluate(evidence.build());
        assertThat(failed).endsWith(new Invariant("out_of_memory", 3, "0", false));
        assertThat(Invariants.allHold(failed)).isFalse();
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

    /** The batch's invariants of a drill whose batch is {@code batch}, in the report's order. */
    private static List<Invariant> batchInvariants(BatchEvidenceBuilder batch) {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.batch = Optional.of(batch.build());
        return Invariants.evaluate(evidence.build()).stream()
                .filter(invariant -> invariant.name().startsWith("batch_"))
                .toList();
    }

    @Test
    void aCleanBatchHoldsEveryBatchInvariantAfterTheAsksOnes() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.batch = Optional.of(BatchEvidenceBuilder.clean(3).build());

        List<Invariant> invariants = Invariants.evaluate(evidence.build());

        assertThat(invariants)
                .endsWith(
                        new Invariant("webhooks_missing", 0, "0", true),
                        new Invariant("batch_not_completed", 0, "0", true),
                        new Invariant("batch_lines_missing", 0, "0", true),
                        new Invariant("batch_lines_duplicated", 0, "0", true),
                        new Invariant("batch_lines_not_in_input", 0, "0", true),
                        new Invariant("batch_request_counts_off", 0, "0", true),
                        new Invariant("batch_answers_wrong", 0, "0", true),
                        new Invariant("batch_errors_without_status_or_body", 0, "0", true),
                        new Invariant("batch_request_ids_not_one_per_line", 0, "0", true),
                        new Invariant("batch_lines_with_another_ask", 0, "0", true),
                        new Invariant("batch_backend_calls_after_deadline", 0, "0", true));
        assertThat(Invariants.allHold(invariants)).isTrue();
    }

    @Test
    void aFailedLineInTheErrorFileWithItsStatusAndBodyBreaksNothing() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(3);
        batch.output.remove(2);
        batch.errors.add(BatchEvidenceBuilder.failed("line-2", "b2", 502));
        batch.completed = 2;
        batch.failed = 1;

        assertThat(batchInvariants(batch)).allMatch(Invariant::holds);
    }

    @Test
    void aBatchNotCompletedAndLinesMissingDuplicatedOrNotOfTheInputFail() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(4);
        batch.status = "expired";
        batch.output.remove(0); // line-0 in neither file
        batch.errors.add(BatchEvidenceBuilder.failed("line-1", "b1", 500)); // line-1 in both
        batch.output.add(BatchEvidenceBuilder.succeeded("line-99", "b99", "answer to nothing"));
        batch.failed = 1;

        assertThat(batchInvariants(batch))
                .contains(
                        new Invariant("batch_not_completed", 1, "0", false),
                        new Invariant("batch_lines_missing", 1, "0", false),
                        new Invariant("batch_lines_duplicated", 1, "0", false),
                        new Invariant("batch_lines_not_in_input", 1, "0", false));
        assertThat(batch.build().findings())
                .contains("missing line-0", "duplicated line-1 in 2 lines", "not in the input line-99 in 1 lines");
    }

    @Test
    void requestCountsOffTheFilesFail() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(3);
        batch.total = 4; // 1 off the input's lines
        batch.completed = 1; // 2 off the output file's lines
        batch.failed = 1; // 1 off the error file's

        assertThat(batchInvariants(batch)).contains(new Invariant("batch_request_counts_off", 4, "0", false));
    }

    @Test
    void answersThatAreNotTheLlmsOrNotCompletionsAndErrorLinesWithoutStatusOrBodyFail() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(5);
        batch.output.set(0, BatchEvidenceBuilder.succeeded("line-0", "b0", "answer to something else"));
        batch.output.set(1, BatchEvidenceBuilder.failed("line-1", "b1", 500)); // a failure in the output file
        batch.callStarts.orElseThrow().remove(BatchEvidenceBuilder.prompt(2)); // answered, never called
        batch.output.remove(4);
        batch.output.remove(3);
        batch.errors.add(BatchEvidenceBuilder.unanswered("line-3", "batch_expired"));
        batch.errors.add(BatchEvidenceBuilder.failed("line-4", "b4", 200)); // not an error status
        batch.completed = 3;
        batch.failed = 2;

        assertThat(batchInvariants(batch))
                .contains(
                        new Invariant("batch_answers_wrong", 3, "0", false),
                        new Invariant("batch_errors_without_status_or_body", 2, "0", false));
    }

    @Test
    void againstARunningDeploymentAnswersAreCheckedForTheirShapeOnlyAndLateCallsNotAtAll() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(2);
        batch.output.set(0, BatchEvidenceBuilder.succeeded("line-0", "b0", "the deployment's own answer"));
        batch.callStarts = Optional.empty();
        batch.calledAs = Optional.empty();

        assertThat(batchInvariants(batch))
                .contains(new Invariant("batch_answers_wrong", 0, "0", true))
                .extracting(Invariant::name)
                .doesNotContain("batch_backend_calls_after_deadline");

        batch.output.set(1, BatchEvidenceBuilder.unanswered("line-1", "batch_expired"));
        assertThat(batchInvariants(batch)).contains(new Invariant("batch_answers_wrong", 1, "0", false));
    }

    @Test
    void aRequestIdSharedOrMissingAndALineQueuedOrCalledAsAnotherAskFail() {
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(5);
        // line-1 and line-2 name one request id
        batch.output.set(
                2, BatchEvidenceBuilder.succeeded("line-2", "b1", LlmServer.answer(BatchEvidenceBuilder.prompt(2))));
        // line-0 was published a second time under another request id, line-3 called under another
        batch.queued.put(BatchEvidenceBuilder.prompt(0), Set.of("b0", "x0"));
        batch.calledAs.orElseThrow().put(BatchEvidenceBuilder.prompt(3), Set.of("b3", "y3"));
        // line-4 in the error file without a response, hence without a request id
        batch.output.remove(4);
        batch.errors.add(BatchEvidenceBuilder.unanswered("line-4", "batch_cancelled"));
        batch.completed = 4;
        batch.failed = 1;

        assertThat(batchInvariants(batch))
                .contains(
                        new Invariant("batch_request_ids_not_one_per_line", 3, "0", false),
                        new Invariant("batch_lines_with_another_ask", 3, "0", false));
    }

    @Test
    void aLineCalledWellAfterTheWindowEndedFailsAndOneWithinTheSlackDoesNot() {
        long end = BatchEvidenceBuilder.EXPIRES_AT_SECONDS * 1000;
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(3);
        batch.callStarts
                .orElseThrow()
                .put(BatchEvidenceBuilder.prompt(0), List.of(1_000L, end + Evidence.CALL_SLACK_MS));
        batch.callStarts
                .orElseThrow()
                .put(BatchEvidenceBuilder.prompt(1), List.of(1_000L, end + Evidence.CALL_SLACK_MS + 1));

        assertThat(batchInvariants(batch)).contains(new Invariant("batch_backend_calls_after_deadline", 1, "0", false));
    }

    @Test
    void theBatchsCallsAreCountedApartFromTheAsks() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        BatchEvidenceBuilder batch = BatchEvidenceBuilder.clean(3);
        batch.callStarts.orElseThrow().put(BatchEvidenceBuilder.prompt(1), List.of(1_000L, 2_000L, 3_000L));
        evidence.batch = Optional.of(batch.build());
        batch.callStarts
                .orElseThrow()
                .forEach((prompt, starts) -> evidence.llmCalls.orElseThrow().put(prompt, starts));

        assertThat(evidence.build().backendCalls()).contains(new BackendCalls(2, 2, 0, 1, 0));
        assertThat(batch.build().backendCalls()).contains(new BackendCalls(5, 3, 1, 3, 2));
    }
}
