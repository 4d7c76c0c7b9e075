package io.askpipe.drill;

import io.askpipe.drill.check.BatchEvidence;
import io.askpipe.drill.check.Evidence;
import io.askpipe.drill.check.EvidenceReader;
import io.askpipe.drill.check.FaultLedger;
import io.askpipe.drill.check.Invariants;
import io.askpipe.drill.check.Progress;
import io.askpipe.drill.check.Replayer;
import io.askpipe.drill.check.StoreRows;
import io.askpipe.drill.deploy.ClusterReader;
import io.askpipe.drill.deploy.Deployment;
import io.askpipe.drill.deploy.KillSchedule;
import io.askpipe.drill.deploy.MemorySampler;
import io.askpipe.drill.deploy.RunningDeployment;
import io.askpipe.drill.deploy.Target;
import io.askpipe.drill.load.BatchInput;
import io.askpipe.drill.load.BatchRun;
import io.askpipe.drill.load.BatchState;
import io.askpipe.drill.load.LlmServer;
import io.askpipe.drill.load.Load;
import io.askpipe.drill.load.Submissions;
import io.askpipe.drill.load.WebhookReceiver;
import io.askpipe.drill.report.DrillReport;
import io.askpipe.drill.report.DrillReport.Invariant;
import io.askpipe.drill.report.DrillReport.ReplayOutcome;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;

/**
 * One drill, phase by phase: submit (and run a batch) while processes are killed on a schedule,
 * wait until every accepted ask is answered (and its webhook delivered) and the batch has ended,
 * replay if asked, read the evidence and check the invariants against it. The services' memory is
 * read throughout.
 */
final class Drill {
    /** How often the services' memory is read. */
    private static final Duration MEMORY_EVERY = Duration.ofMillis(500);

    private final DrillOptions options;
    private final Path dir;
    private final PrintStream out;

    Drill(DrillOptions options, Path dir, PrintStream out) {
        this.options = options;
        this.dir = dir;
        this.out = out;
    }

    DrillReport run() throws Exception {
        try (LlmServer llm = LlmServer.start(Duration.ofMillis(options.vendorMs()));
                WebhookReceiver receiver = WebhookReceiver.start()) {
            out.printf(
                    owned()
                            ? "drill: starting the deployment in " + dir + " ...%n"
                            : "drill: drilling the deployment at "
                                    + options.running().url() + "%n");
            try (Target deployment = owned()
                            ? Deployment.start(
                                    dir,
                                    options.workers(),
                                    options.chaosEnv(),
                                    llm.baseUrl(),
                                    Map.of(),
                                    Map.of(),
                                    options.heap())
                            : RunningDeployment.attach(options.running());
                    ClusterReader kafka = new ClusterReader(deployment.bootstrapServers());
                    MemorySampler memory = MemorySampler.start(deployment.services(), MEMORY_EVERY)) {
                return drill(deployment, kafka, memory, llm, receiver);
            }
        }
    }

    /** Whether the drill runs the deployment itself: then it sees its logs and its LLM, and may kill. */
    private boolean owned() {
        return options.running() == null;
    }

    private DrillReport drill(
            Target deployment, ClusterReader kafka, MemorySampler memory, LlmServer llm, WebhookReceiver receiver)
            throws Exception {
        // on its own deployment, the same keys and prompts in every drill, so that the same seed
        // strikes the same places; a running deployment may have seen those keys before
        String runId = owned() ? "s" + options.seed() : Long.toString(System.currentTimeMillis(), 36);
        Load load = new Load(
                deployment.ingest(),
                deployment.apiKey(),
                runId,
                options.webhooks() ? receiver.url() : null,
                options.plan());
        Optional<BatchRun> batch = options.batchLines() == 0
                ? Optional.empty()
                : Optional.of(new BatchRun(
                        deployment.ingest(),
                        deployment.apiKey(),
                        new BatchInput(runId, options.batchLines()),
                        dir.resolve("batch"),
                        out));
        out.printf(
                "drill: %d asks (Idempotency-Keys %s to %s), %d clients%s%s%n",
                options.asks(),
                load.key(0),
                load.key(Math.max(0, options.asks() - 1)),
                options.concurrency(),
                options.batchLines() > 0 ? ", a batch of " + options.batchLines() + " lines" : "",
                owned()
                        ? ", seed " + options.seed() + ", faults " + new TreeMap<>(options.faults())
                                + ", kill -9 of a worker every "
                                + options.killWorkerEvery().toSeconds() + " s, services at "
                                + options.heap().jvmOption()
                        : "");
        FaultLedger faults =
                owned() ? FaultLedger.ofLogs(deployment.services()) : FaultLedger.ofMetrics(deployment.metrics());

        Submitted submitted = submit(deployment, load, batch, receiver);
        Thread.sleep(2_000); // late duplicates (a restarted worker's republish) show up in the checks

        // read the rows before a replay and the results after it, so that those it republished count
        Optional<LlmServer> ownLlm = owned() ? Optional.of(llm) : Optional.empty();
        Map<String, StoreRows.Row> rows = StoreRows.read(deployment);
        Optional<ReplayOutcome> replay =
                replay(new Replayer(deployment, kafka, ownLlm, options.quiesceTimeout(), out), rows);
        Evidence evidence = new EvidenceReader(deployment, kafka, ownLlm, receiver, faults, memory)
                .read(
                        submitted.clients(),
                        submitted.lateRetriesNotFinding(),
                        rows,
                        options.webhooks(),
                        replay,
                        batch.map(BatchRun::outcome));
        return report(evidence, submitted);
    }

    /** What the submit phase left: what the clients were told, late retries that found another ask, and its times. */
    private record Submitted(Submissions clients, int lateRetriesNotFinding, double submitSeconds, double seconds) {}

    /**
     * Submits the asks and runs the batch while processes are killed on schedule, retries every
     * accepted key once more, and waits until every accepted ask is answered and the batch has
     * ended, both within the quiesce timeout.
     */
    private Submitted submit(Target deployment, Load load, Optional<BatchRun> batch, WebhookReceiver receiver)
            throws InterruptedException {
        long started = System.nanoTime();
        ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
        background.submit(new KillSchedule(deployment, options.killWorkerEvery(), options.killStoreEvery(), out));
        Progress progress =
                new Progress(deployment, load, batch, receiver, options.asks(), options.webhooks(), started, out);
        background.submit(progress::show);
        batch.ifPresent(background::submit);
        load.run(options.asks(), options.concurrency());
        double submitSeconds = secondsSince(started);
        Submissions clients = load.submissions();
        clients.refused().entrySet().stream()
                .findFirst()
                .ifPresent(first -> out.printf(
                        "drill: %d asks refused, ask %d with %s%n",
                        clients.refused().size(), first.getKey(), first.getValue()));
        // a client's late retry must find its ask; checked at once, well within IDEMPOTENCY_TTL
        int lateRetriesNotFinding = load.lateRetries(options.concurrency());
        long quiesced = System.nanoTime() + options.quiesceTimeout().toNanos();
        boolean answered = progress.awaitAnswered(options.quiesceTimeout());
        double seconds = secondsSince(started);
        if (!answered) {
            out.printf(
                    "drill: not every accepted ask was answered within %s s%n",
                    options.quiesceTimeout().toSeconds());
        }
        // the batch runs on under the kills and faults until it ends (or the same timeout passes)
        if (batch.isPresent() && !batch.get().awaitDone(Duration.ofNanos(Math.max(0, quiesced - System.nanoTime())))) {
            out.printf(
                    "drill: the batch had not ended within %s s: %s%n",
                    options.quiesceTimeout().toSeconds(),
                    batch.get().state().map(BatchState::status).orElse("not created"));
        }
        background.shutdownNow();
        background.awaitTermination(30, TimeUnit.SECONDS);
        return new Submitted(clients, lateRetriesNotFinding, submitSeconds, seconds);
    }

    /** The report of the evidence, with the invariants checked against it. */
    private DrillReport report(Evidence evidence, Submitted submitted) {
        List<Invariant> invariants = Invariants.evaluate(evidence);
        // which calls came late, and which batch lines went wrong, to trace them in the services' logs
        evidence.lateCalls().forEach(line -> out.println("drill: late backend call: " + line));
        evidence.batch().ifPresent(batch -> batch.findings().forEach(line -> out.println("drill: batch: " + line)));
        DrillReport.Asks asks = evidence.asks();
        return new DrillReport(
                settings(),
                asks,
                evidence.backendCalls().orElse(null), // the deployment's own backends answered: not counted
                evidence.webhooks(),
                evidence.faults(),
                evidence.processes(),
                evidence.memory().isEmpty()
                        ? null // a running deployment's processes are not the drill's
                        : new DrillReport.Memory(options.heap().mebibytes(), evidence.memory()),
                DrillReport.Throughput.of(
                        submitted.seconds(),
                        submitted.submitSeconds(),
                        asks.accepted(),
                        asks.succeeded() + asks.failed() + asks.expired() + asks.cancelled()),
                new DrillReport.Latency(evidence.submitMs(), evidence.toResultMs()),
                evidence.replay().orElse(null),
                evidence.batch().map(BatchEvidence::report).orElse(null),
                invariants,
                Invariants.allHold(invariants));
    }

    private Optional<ReplayOutcome> replay(Replayer replayer, Map<String, StoreRows.Row> before) throws Exception {
        String what = options.replay().describe();
        return switch (options.replay()) {
            case DrillOptions.Replay.None none -> Optional.empty();
            case DrillOptions.Replay.FromBeginning from ->
                Optional.of(replayer.resetRouter(what, OffsetSpec.earliest(), before));
            case DrillOptions.Replay.Since since ->
                Optional.of(replayer.resetRouter(
                        what, OffsetSpec.forTimestamp(since.since().toEpochMilli()), before));
            case DrillOptions.Replay.Key key -> Optional.of(replayer.publishAgain(what, key.idempotencyKey(), before));
        };
    }

    private DrillReport.Settings settings() {
        return new DrillReport.Settings(
                options.asks(),
                options.concurrency(),
                options.seed(),
                new TreeMap<>(options.faults()),
                options.vendorLatencyMs(),
                options.workers(),
                options.killWorkerEvery().toSeconds(),
                options.killStoreEvery().toSeconds(),
                options.replay().describe(),
                options.webhooks(),
                options.plan().expireEvery(),
                options.plan().expiresAfterSeconds(),
                options.plan().cancelEvery(),
                options.batchLines());
    }

    private static double secondsSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }
}
