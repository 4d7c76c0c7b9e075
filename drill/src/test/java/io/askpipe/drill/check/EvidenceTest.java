package io.askpipe.drill.check;

import static io.askpipe.drill.check.EvidenceBuilder.prompt;
import static io.askpipe.drill.check.EvidenceBuilder.row;
import static org.assertj.core.api.Assertions.assertThat;

import io.askpipe.drill.report.DrillReport.BackendCalls;
import io.askpipe.drill.report.DrillReport.Webhooks;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EvidenceTest {
    @Test
    void anAcceptedAskWithoutATerminalRowIsLost() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(4);
        evidence.rows.remove("r1");
        evidence.rows.put("r2", row("running", 10));
        evidence.rows.put("r3", row("failed", 3_100));

        var asks = evidence.build().asks();

        assertThat(asks.accepted()).isEqualTo(4);
        assertThat(asks.succeeded()).isEqualTo(1);
        assertThat(asks.failed()).isEqualTo(1);
        assertThat(asks.lost()).isEqualTo(2);
    }

    @Test
    void anAskWithTwoDistinctResultsConflicts() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(2);
        evidence.results.put("r1", Set.of("succeeded|openai|m|one answer", "succeeded|openai|m|another"));

        assertThat(evidence.build().asks().conflicting()).isEqualTo(1);
    }

    @Test
    void backendCallsCountEveryCallAndTheAsksCalledMoreThanOnce() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        evidence.llmCalls.orElseThrow().put(prompt(1), List.of(1_010L, 1_500L, 2_000L));
        evidence.llmCalls.orElseThrow().put("a prompt of no accepted ask", List.of(5L));

        assertThat(evidence.build().backendCalls()).contains(new BackendCalls(6, 3, 1, 3, 3));
    }

    @Test
    void backendCallsAreNotCountedWhenTheDeploymentsOwnBackendsAnswered() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        evidence.llmCalls = Optional.empty();

        assertThat(evidence.build().backendCalls()).isEmpty();
    }

    @Test
    void webhooksAreMatchedByTheirIdAndDuplicatesCounted() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        evidence.webhookDeliveries.remove("msg_r2");
        evidence.webhookDeliveries.put("msg_r0", 2);

        assertThat(evidence.build().webhooks()).isEqualTo(new Webhooks(3, 2, 1, 1, 3));
    }

    @Test
    void withoutCallbacksNoWebhookIsExpected() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        evidence.webhooksExpected = false;
        evidence.webhookDeliveries.clear();

        assertThat(evidence.build().webhooks()).isEqualTo(new Webhooks(0, 0, 0, 0, 0));
    }

    @Test
    void theTimeToAResultRunsFromTheFirstTryToTheRowsLastUpdate() {
        EvidenceBuilder evidence = EvidenceBuilder.clean(3);
        evidence.rows.put("r2", row("succeeded", 2_000 + 400));

        assertThat(evidence.build().toResultMs().p50()).isEqualTo(50.0);
        assertThat(evidence.build().toResultMs().max()).isEqualTo(400.0);
    }
}
