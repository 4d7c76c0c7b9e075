package io.askpipe.drill.check;

import io.askpipe.drill.report.DrillReport.Invariant;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongPredicate;
import java.util.function.ToLongFunction;

/**
 * The invariants a drill checks, as data: each a name, its value in the evidence (absent where it
 * does not apply: webhooks when asks carried no callback, the replay's when there was none, the
 * batch's when it ran none) and what it must be.
 */
public final class Invariants {
    /** What a value must be: in words, as the report prints it, and as a test. */
    private record Must(String words, LongPredicate holds) {
        static final Must ZERO = new Must("0", value -> value == 0);

        static Must atLeast(long least) {
            return new Must("at least " + least, value -> value >= least);
        }
    }

    /** One invariant: its name, its value in the evidence (empty where it does not apply), and what it must be. */
    private record Check(String name, Function<Evidence, OptionalLong> value, Must must) {
        static Check always(String name, ToLongFunction<Evidence> value, Must must) {
            return new Check(name, evidence -> OptionalLong.of(value.applyAsLong(evidence)), must);
        }

        static Check ofReplay(String name, Function<ReplayOutcome, OptionalLong> value, Must must) {
            return new Check(name, evidence -> evidence.replay().map(value).orElse(OptionalLong.empty()), must);
        }

        static Check ofBatch(String name, ToLongFunction<BatchEvidence> value) {
            return new Check(
                    name,
                    evidence -> evidence.batch()
                            .map(batch -> OptionalLong.of(value.applyAsLong(batch)))
                            .orElse(OptionalLong.empty()),
                    Must.ZERO);
        }
    }

    private static final List<Check> CHECKS = List.of(
            Check.always("lost", e -> e.asks().lost(), Must.ZERO),
            Check.always("asks_with_two_distinct_results", e -> e.asks().conflicting(), Must.ZERO),
            Check.always("late_retries_not_finding_their_ask", e -> e.lateRetriesNotFindingTheirAsk(), Must.ZERO),
            Check.always("refused", e -> e.clients().refused().size(), Must.ZERO),
            Check.always("cancels_refused", e -> e.clients().cancelsRefused().size(), Must.ZERO),
            new Check("backend_calls_after_deadline", Evidence::callsAfterDeadline, Must.ZERO),
            new Check("backend_calls_after_cancel", Evidence::callsAfterCancel, Must.ZERO),
            new Check("cancelled_but_shown_otherwise", Evidence::cancelledButShownOtherwise, Must.ZERO),
            new Check(
                    "webhooks_missing",
                    e -> e.webhooksExpected() ? OptionalLong.of(e.webhooks().missing()) : OptionalLong.empty(),
                    Must.ZERO),
            // only where the drill runs the processes and reads their logs
            new Check("out_of_memory", Evidence::outOfMemoryExits, Must.ZERO),
            Check.ofReplay("replay_redelivered", r -> OptionalLong.of(r.redelivered()), Must.atLeast(1)),
            // null against a running deployment, whose backends the drill does not see
            Check.ofReplay(
                    "replay_backend_calls",
                    r -> r.backendCalls() == null ? OptionalLong.empty() : OptionalLong.of(r.backendCalls()),
                    Must.ZERO),
            Check.ofReplay("replay_views_changed", r -> OptionalLong.of(r.viewsChanged()), Must.ZERO),
            Check.ofBatch("batch_not_completed", BatchEvidence::notCompleted),
            Check.ofBatch("batch_lines_missing", BatchEvidence::missing),
            Check.ofBatch("batch_lines_duplicated", BatchEvidence::duplicated),
            Check.ofBatch("batch_lines_not_in_input", BatchEvidence::notInInput),
            Check.ofBatch("batch_request_counts_off", BatchEvidence::requestCountsOff),
            Check.ofBatch("batch_answers_wrong", BatchEvidence::wrongAnswers),
            Check.ofBatch("batch_errors_without_status_or_body", BatchEvidence::errorsWithoutStatusOrBody),
            Check.ofBatch("batch_request_ids_not_one_per_line", BatchEvidence::requestIdsNotOnePerLine),
            Check.ofBatch("batch_lines_with_another_ask", BatchEvidence::linesWithAnotherAsk),
            // only where the drill sees the LLM and the batch was created
            new Check(
                    "batch_backend_calls_after_deadline",
                    e -> e.batch().map(BatchEvidence::callsAfterDeadline).orElse(OptionalLong.empty()),
                    Must.ZERO));

    private Invariants() {}

    /** Every invariant that applies to {@code evidence}, in the report's order, with its value and whether it holds. */
    public static List<Invariant> evaluate(Evidence evidence) {
        List<Invariant> found = new ArrayList<>();
        for (Check check : CHECKS) {
            check.value()
                    .apply(evidence)
                    .ifPresent(value -> found.add(new Invariant(
                            check.name(),
                            value,
                            check.must().words(),
                            check.must().holds().test(value))));
        }
        return List.copyOf(found);
    }

    /** Whether every one holds: the drill's verdict. */
    public static boolean allHold(List<Invariant> invariants) {
        return invariants.stream().allMatch(Invariant::holds);
    }
}
