package io.askpipe.drill.check;

import io.askpipe.drill.load.Load;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.report.DrillReport.Faults;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.ServiceMemory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Hand-built evidence for the checks' tests: at first a clean drill, asks {@code 0..n-1} (request
 * ids {@code r0, r1, ...}) each accepted, answered, called and delivered once; a test then changes
 * what it needs.
 */
final class EvidenceBuilder {
    final List<Load.Accepted> accepted = new ArrayList<>();
    final TreeMap<Integer, String> refused = new TreeMap<>();
    int lateRetriesNotFindingTheirAsk;
    final Map<String, StoreRows.Row> rows = new HashMap<>();
    final Map<String, Set<String>> results = new HashMap<>();
    /** When each of the LLM's calls started, by prompt: the ask's submit time plus 10 ms in a clean drill. */
    Optional<Map<String, List<Long>>> llmCalls = Optional.of(new HashMap<>());

    final List<Load.Cancel> cancels = new ArrayList<>();
    final TreeMap<Integer, String> cancelsRefused = new TreeMap<>();
    boolean webhooksExpected = true;
    final Map<String, Integer> webhookDeliveries = new HashMap<>();
    Optional<ReplayOutcome> replay = Optional.empty();
    Optional<BatchEvidence> batch = Optional.empty();
    /** The service processes' memory, by name: none, as against a running deployment. */
    final Map<String, ServiceMemory> memory = new HashMap<>();

    static EvidenceBuilder clean(int asks) {
        EvidenceBuilder evidence = new EvidenceBuilder();
        for (int n = 0; n < asks; n++) {
            Load.Accepted ask = new Load.Accepted(n, "drill-t-" + n, prompt(n), "r" + n, 1_000L * n);
            evidence.accepted.add(ask);
            evidence.rows.put(ask.requestId(), row("succeeded", ask.submittedAtMillis() + 50));
            evidence.results.put(ask.requestId(), Set.of("succeeded|openai|drill-model|answer to " + n));
            evidence.llmCalls.orElseThrow().put(ask.prompt(), List.of(ask.submittedAtMillis() + 10));
            evidence.webhookDeliveries.put("msg_" + ask.requestId(), 1);
        }
        return evidence;
    }

    static String prompt(int n) {
        return "drill t ask " + n;
    }

    static StoreRows.Row row(String status, long updatedAtMillis) {
        return new StoreRows.Row(
                status, "openai", status.equals("succeeded") ? "an answer" : null, null, updatedAtMillis);
    }

    Evidence build() {
        return new Evidence(
                new Submissions(
                        accepted.size() + refused.size(),
                        List.copyOf(accepted),
                        new TreeMap<>(refused),
                        0,
                        0,
                        new Histogram(3),
                        List.copyOf(cancels),
                        new TreeMap<>(cancelsRefused)),
                lateRetriesNotFindingTheirAsk,
                Map.copyOf(rows),
                Map.copyOf(results),
                llmCalls.map(Map::copyOf),
                webhooksExpected,
                Map.copyOf(webhookDeliveries),
                Map.of(),
                Map.copyOf(memory),
                new Faults(Map.of(), 0, null),
                replay,
                batch);
    }
}
