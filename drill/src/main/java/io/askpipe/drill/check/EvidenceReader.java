package io.askpipe.drill.check;

import io.askpipe.drill.deploy.ClusterReader;
import io.askpipe.drill.deploy.MemorySampler;
import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.drill.deploy.Target;
import io.askpipe.drill.load.BatchRun;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.load.WebhookReceiver;
import io.askpipe.drill.report.DrillReport.ProcessLife;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import io.askpipe.drill.report.DrillReport.ServiceMemory;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a drill's evidence once its asks are answered and any replay is done: the results on
 * {@code ask.results}, the LLM's calls, the receiver's deliveries, the supervisor's counts, the
 * services' memory, the fault ledger, and its batch's files and asks.
 */
public final class EvidenceReader {
    private final Target deployment;
    private final ClusterReader kafka;
    private final Optional<LlmServer> llm;
    private final WebhookReceiver receiver;
    private final FaultLedger faults;
    private final MemorySampler memory;

    /**
     * @param llm the LLM the deployment's workers call; empty against a running deployment, whose
     *     own backends answer
     * @param memory the sampler of the deployment's services
     */
    public EvidenceReader(
            Target deployment,
            ClusterReader kafka,
            Optional<LlmServer> llm,
            WebhookReceiver receiver,
            FaultLedger faults,
            MemorySampler memory) {
        this.deployment = deployment;
        this.kafka = kafka;
        this.llm = llm;
        this.receiver = receiver;
        this.faults = faults;
        this.memory = memory;
    }

    /**
     * The evidence, with what the drill itself saw: what its clients were told, its late retries,
     * the store's rows before any replay, the replay's outcome and what came of its batch.
     */
    public Evidence read(
            Submissions clients,
            int lateRetriesNotFindingTheirAsk,
            Map<String, StoreRows.Row> rows,
            boolean webhooksExpected,
            Optional<ReplayOutcome> replay,
            Optional<BatchRun.Outcome> batch)
            throws Exception {
        Map<String, Set<String>> results = kafka.distinctResults();
        Optional<Map<String, List<Long>>> calls = llm.map(LlmServer::callStartsByPrompt);
        Map<String, Integer> deliveries = receiver.deliveries();
        Map<String, ProcessLife> processes = new LinkedHashMap<>();
        Map<String, ServiceMemory> memories = new LinkedHashMap<>();
        Map<String, Long> peaks = memory.peakPssBytes();
        for (ServiceProcess service : deployment.services()) {
            processes.put(service.name(), new ProcessLife(service.starts(), service.kills(), service.crashes()));
            memories.put(
                    service.name(),
                    ServiceMemory.of(peaks.getOrDefault(service.name(), 0L), OutOfMemoryExits.in(service.log())));
        }
        return new Evidence(
                clients,
                lateRetriesNotFindingTheirAsk,
                rows,
                results,
                calls,
                webhooksExpected,
                deliveries,
                processes,
                Collections.unmodifiableMap(memories),
                faults.read(),
                replay,
                batch.isEmpty() ? Optional.empty() : Optional.of(batch(batch.get(), calls)));
    }

    /** The evidence of the batch: its files, its lines' asks on the topics, and the LLM's calls of them. */
    private BatchEvidence batch(BatchRun.Outcome outcome, Optional<Map<String, List<Long>>> calls) throws Exception {
        Map<String, String> prompts = outcome.input().promptsByCustomId();
        Set<String> linePrompts = Set.copyOf(prompts.values());
        return new BatchEvidence(
                prompts,
                outcome.state(),
                outcome.seconds(),
                BatchFileLine.read(outcome.output()),
                BatchFileLine.read(outcome.errors()),
                kafka.requestIdsByPrompt(linePrompts),
                calls.map(starts -> only(starts, linePrompts)),
                llm.map(LlmServer::requestIdsByPrompt).map(ids -> only(ids, linePrompts)));
    }

    private static <T> Map<String, T> only(Map<String, T> byPrompt, Set<String> prompts) {
        Map<String, T> kept = new HashMap<>();
        byPrompt.forEach((prompt, value) -> {
            if (prompts.contains(prompt)) {
                kept.put(prompt, value);
            }
        });
        return kept;
    }
}
