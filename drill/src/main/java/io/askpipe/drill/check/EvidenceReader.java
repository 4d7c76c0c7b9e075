package io.askpipe.drill.check;

import io.askpipe.drill.deploy.ClusterReader;
import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.drill.deploy.Target;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.load.WebhookReceiver;
import io.askpipe.drill.report.DrillReport.ProcessLife;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a drill's evidence once its asks are answered and any replay is done: the results on
 * {@code ask.results}, the LLM's calls, the receiver's deliveries, the supervisor's counts and the
 * fault ledger.
 */
public final class EvidenceReader {
    private final Target deployment;
    private final ClusterReader kafka;
    private final Optional<LlmServer> llm;
    private final WebhookReceiver receiver;
    private final FaultLedger faults;

    /**
     * @param llm the LLM the deployment's workers call; empty against a running deployment, whose
     *     own backends answer
     */
    public EvidenceReader(
            Target deployment,
            ClusterReader kafka,
            Optional<LlmServer> llm,
            WebhookReceiver receiver,
            FaultLedger faults) {
        this.deployment = deployment;
        this.kafka = kafka;
        this.llm = llm;
        this.receiver = receiver;
        this.faults = faults;
    }

    /**
     * The evidence, with what the drill itself saw: what its clients were told, its late retries,
     * the store's rows before any replay and the replay's outcome.
     */
    public Evidence read(
            Submissions clients,
            int lateRetriesNotFindingTheirAsk,
            Map<String, StoreRows.Row> rows,
            boolean webhooksExpected,
            Optional<ReplayOutcome> replay)
            throws Exception {
        Map<String, Set<String>> results = kafka.distinctResults();
        Optional<Map<String, List<Long>>> calls = llm.map(LlmServer::callStartsByPrompt);
        Map<String, Integer> deliveries = receiver.deliveries();
        Map<String, ProcessLife> processes = new LinkedHashMap<>();
        for (ServiceProcess service : deployment.services()) {
            processes.put(service.name(), new ProcessLife(service.starts(), service.kills(), service.crashes()));
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
                faults.read(),
                replay);
    }
}
