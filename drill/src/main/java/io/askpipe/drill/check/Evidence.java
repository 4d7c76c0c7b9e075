package io.askpipe.drill.check;

import io.askpipe.drill.load.Load;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.report.DrillReport.Asks;
import io.askpipe.drill.report.DrillReport.BackendCalls;
import io.askpipe.drill.report.DrillReport.Faults;
import io.askpipe.drill.report.DrillReport.Percentiles;
import io.askpipe.drill.report.DrillReport.ProcessLife;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.Webhooks;
import io.askpipe.schemas.AskStatus;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * What a drill found happened, from each of its witnesses, and the counts the report and the
 * invariants take from it.
 *
 * @param clients what the clients submitted and were told
 * @param lateRetriesNotFindingTheirAsk accepted keys submitted once more whose answer named another ask
 * @param rows the result store's rows of the drill's user, by request id, read before any replay
 * @param results every distinct terminal result on {@code ask.results}, by request id, read after it
 * @param llmCalls the calls the drill's LLM received, by prompt; empty when the deployment's own
 *     backends answered
 * @param webhooksExpected whether every ask carried a callback to the drill's receiver
 * @param webhookDeliveries what the receiver got, deliveries by {@code webhook-id}
 * @param processes the supervised processes' starts, kills and crashes, by name
 * @param faults the faults injected
 * @param replay what the replay did, when there was one
 */
public record Evidence(
        Submissions clients,
        int lateRetriesNotFindingTheirAsk,
        Map<String, StoreRows.Row> rows,
        Map<String, Set<String>> results,
        Optional<Map<String, Integer>> llmCalls,
        boolean webhooksExpected,
        Map<String, Integer> webhookDeliveries,
        Map<String, ProcessLife> processes,
        Faults faults,
        Optional<ReplayOutcome> replay) {

    /** What became of the asks: the clients' counts, and the accepted asks' rows and results. */
    public Asks asks() {
        int succeeded = 0;
        int failed = 0;
        int expired = 0;
        int lost = 0;
        for (Load.Accepted ask : clients.accepted()) {
            StoreRows.Row row = rows.get(ask.requestId());
            if (row == null || !row.terminal()) {
                lost++;
            } else if (row.status().equals(AskStatus.SUCCEEDED.wireName())) {
                succeeded++;
            } else if (row.status().equals(AskStatus.EXPIRED.wireName())) {
                expired++;
            } else {
                failed++;
            }
        }
        int conflicting =
                (int) results.values().stream().filter(r -> r.size() > 1).count();
        return new Asks(
                clients.submitted(),
                clients.accepted().size(),
                clients.refused().size(),
                clients.gaveUp(),
                clients.retries(),
                succeeded,
                failed,
                expired,
                lost,
                conflicting,
                lateRetriesNotFindingTheirAsk);
    }

    /** What the accepted asks cost the drill's LLM; empty when the deployment's own backends answered. */
    public Optional<BackendCalls> backendCalls() {
        return llmCalls.map(calls -> {
            int asksCalled = 0;
            int calledMoreThanOnce = 0;
            int maxCalls = 0;
            for (Load.Accepted ask : clients.accepted()) {
                int n = calls.getOrDefault(ask.prompt(), 0);
                asksCalled += n > 0 ? 1 : 0;
                calledMoreThanOnce += n > 1 ? 1 : 0;
                maxCalls = Math.max(maxCalls, n);
            }
            long total = calls.values().stream().mapToLong(Integer::longValue).sum();
            return new BackendCalls(total, asksCalled, calledMoreThanOnce, maxCalls, total - asksCalled);
        });
    }

    /** The accepted asks' webhooks: expected, delivered, missing, and duplicate deliveries. */
    public Webhooks webhooks() {
        int expected = webhooksExpected ? clients.accepted().size() : 0;
        int delivered = 0;
        for (Load.Accepted ask : clients.accepted()) {
            delivered += webhooksExpected && webhookDeliveries.containsKey("msg_" + ask.requestId()) ? 1 : 0;
        }
        int duplicateIds =
                (int) webhookDeliveries.values().stream().filter(n -> n > 1).count();
        int deliveries =
                webhookDeliveries.values().stream().mapToInt(Integer::intValue).sum();
        return new Webhooks(expected, delivered, expected - delivered, duplicateIds, deliveries);
    }

    /** From each accepted ask's first try to its 202, in milliseconds. */
    public Percentiles submitMs() {
        return Percentiles.of(clients.submitMicros(), 1_000.0);
    }

    /** From each answered ask's first try to its row's last update, in milliseconds. */
    public Percentiles toResultMs() {
        Histogram toResult = new Histogram(3);
        for (Load.Accepted ask : clients.accepted()) {
            StoreRows.Row row = rows.get(ask.requestId());
            if (row != null && row.terminal()) {
                toResult.recordValue(Math.max(0, row.updatedAtMillis() - ask.submittedAtMillis()));
            }
        }
        return Percentiles.of(toResult, 1.0);
    }
}
