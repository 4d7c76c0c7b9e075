package io.askpipe.bench.batch;

import io.askpipe.bench.load.AskLoadResult.Completion;
import io.askpipe.bench.load.StoreCompletion;
import io.askpipe.drill.deploy.Deployment;
import io.askpipe.drill.deploy.ServiceProcess;
import io.askpipe.embedded.Directories;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The batch benchmark's run, phase after phase on one fresh deployment of the drill's kind (each
 * service its own JVM, chaos off, the {@code dryrun} backend answering at once), each service's
 * memory read throughout: a warm-up, interactive asks alone at a steady rate, a closed loop of
 * interactive submits, the input file's upload, the batch from its create to its end with the
 * same steady interactive asks beside it, and the download of its files.
 */
public final class BatchPhases implements AutoCloseable {
    private static final Duration WARMUP = Duration.ofSeconds(10);
    private static final int WARMUP_BATCH_LINES = 1000;
    private static final Duration BATCH_AT_MOST = Duration.ofMinutes(60);
    private static final Duration COMPLETION_AT_MOST = Duration.ofMinutes(10);

    private final BatchLoadOptions options;
    private final Path dir;
    private final Deployment deployment;
    private final Timeline timeline = Timeline.system();
    private final ServiceSampler sampler;
    private final Prompts prompts;
    private final InteractiveLoad interactive;
    private final BatchApi api;

    private BatchPhases(BatchLoadOptions options, Path dir, Deployment deployment) {
        this.options = options;
        this.dir = dir;
        this.deployment = deployment;
        this.sampler = new ServiceSampler(deployment.services(), timeline, options.sample());
        this.prompts = new Prompts(options.promptWords());
        ServiceProcess store = deployment.store().orElseThrow();
        this.interactive = new InteractiveLoad(deployment.ingest(), store.base(), deployment.apiKey(), prompts);
        this.api = new BatchApi(deployment.ingest(), deployment.apiKey());
    }

    /** Runs every phase of {@code options} on a fresh deployment; returns what they measured. */
    public static BatchLoadResult run(BatchLoadOptions options) throws Exception {
        Instant startedAt = Instant.now();
        BatchLoadResult.Host host = BatchLoadResult.Host.here();
        try (BatchPhases phases = start(options)) {
            phases.warmUp();
            InteractiveLoad.OpenRun alone = phases.alone();
            BatchLoadResult.Closed closed = phases.closed();
            Uploaded upload = phases.upload(phases.dir.resolve("batch.jsonl"), options.lines());
            return phases.batch(startedAt, host, alone, closed, upload);
        }
    }

    private static BatchPhases start(BatchLoadOptions options) throws Exception {
        Path dir = Files.createTempDirectory("askpipe-batch-load-");
        say("starting the deployment in " + dir + ": broker and PostgreSQL here, ingest-api, " + options.workers()
                + " router worker(s) and the result store as processes of their own");
        try {
            Deployment deployment = Deployment.start(
                    dir,
                    options.workers(),
                    Map.of("CHAOS_MODE", "0"),
                    // the workers' openai backend, configured but never asked: every ask names dryrun
                    URI.create("http://127.0.0.1:9"),
                    Map.of("PROMPT_BACKEND", "dryrun", "DRYRUN_LATENCY_MS", "0"),
                    options.ingestSettings());
            return new BatchPhases(options, dir, deployment);
        } catch (Exception | Error e) {
            Directories.deleteRecursively(dir);
            throw e;
        }
    }

    /** Compiles the hot paths before anything is measured: submits, asks long-polled, and a small batch. */
    private void warmUp() throws Exception {
        timeline.begin("warm-up");
        say("warm-up, not counted: " + options.clients() + " clients for " + WARMUP.toSeconds() + " s, "
                + options.rate() + " asks/s long-polled for " + WARMUP.toSeconds() + " s, a "
                + WARMUP_BATCH_LINES + "-line batch");
        String run = "warm-" + shortId();
        InteractiveLoad.ClosedRun closed = interactive.closedLoop(run, options.clients(), WARMUP);
        completion(run, closed.accepted());
        interactive.openLoop("warm-open-" + shortId(), options.rate(), WARMUP, () -> false);
        Path file = dir.resolve("warm-up.jsonl");
        prompts.writeBatchFile(file, Math.min(WARMUP_BATCH_LINES, options.lines()));
        String batch = api.create(api.upload(file));
        new BatchWatch(deployment, new Timeline(timeline::now), sampler).follow(batch, BATCH_AT_MOST);
        BatchTimes.awaitStored(deployment, batch, Math.min(WARMUP_BATCH_LINES, options.lines()), COMPLETION_AT_MOST);
        timeline.end("warm-up");
    }

    /** Interactive asks at the steady rate with nothing else running. */
    private InteractiveLoad.OpenRun alone() throws InterruptedException {
        say("interactive asks alone: " + options.rate() + " asks/s for "
                + options.seconds().toSeconds() + " s, each long-polled to its result");
        timeline.begin("alone");
        InteractiveLoad.OpenRun alone =
                interactive.openLoop("alone-" + shortId(), options.rate(), options.seconds(), () -> false);
        timeline.end("alone");
        say(String.format(
                "alone: %d asks, submit to result p50 %.1f ms, p99 %.1f ms, errors %s",
                alone.result().count(), alone.result().p50Ms(), alone.result().p99Ms(), alone.errors()));
        return alone;
    }

    /** Interactive submits as fast as the stack takes them, and how fast their asks reach their rows. */
    private BatchLoadResult.Closed closed() throws Exception {
        say("interactive completed asks: " + options.clients() + " clients submitting for "
                + options.closedSeconds().toSeconds() + " s, then until every accepted ask has its row");
        timeline.begin("closed");
        String run = "closed-" + shortId();
        InteractiveLoad.ClosedRun submits = interactive.closedLoop(run, options.clients(), options.closedSeconds());
        Completion completion = completion(run, submits.accepted());
        timeline.end("closed");
        say(String.format(
                "closed loop: %d accepted (%.0f/s), completed %.0f asks/s, errors %s",
                submits.accepted(), submits.acceptedPerSecond(), completion.rate(), submits.errors()));
        return new BatchLoadResult.Closed(submits, completion);
    }

    /** The input file as uploaded: its id, and how the upload went. */
    private record Uploaded(String fileId, BatchLoadResult.Transfer transfer) {}

    /** Writes the batch's input file of {@code lines} lines and uploads it. */
    private Uploaded upload(Path file, int lines) throws Exception {
        long bytes = prompts.writeBatchFile(file, lines);
        say(String.format("upload: %,d lines, %.1f MB", lines, bytes / 1e6));
        timeline.begin("upload");
        long started = System.nanoTime();
        String fileId = api.upload(file);
        double seconds = (System.nanoTime() - started) / 1e9;
        timeline.end("upload");
        Files.delete(file);
        say(String.format("uploaded in %.2f s: %.1f MB/s", seconds, bytes / 1e6 / seconds));
        return new Uploaded(fileId, new BatchLoadResult.Transfer(bytes, lines, seconds));
    }

    /** The batch from its create to its end with interactive asks beside it, then its files' download. */
    private BatchLoadResult batch(
            Instant startedAt,
            BatchLoadResult.Host host,
            InteractiveLoad.OpenRun alone,
            BatchLoadResult.Closed closed,
            Uploaded upload)
            throws Exception {
        say("the batch, with " + options.rate() + " interactive asks/s beside it until it ends");
        AtomicBoolean ended = new AtomicBoolean();
        AtomicReference<InteractiveLoad.OpenRun> beside = new AtomicReference<>();
        timeline.begin("run");
        String id = api.create(upload.fileId());
        Thread asks = Thread.ofVirtual().start(() -> {
            try {
                beside.set(interactive.openLoop("beside-" + shortId(), options.rate(), BATCH_AT_MOST, ended::get));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        BatchWatch.Row last;
        try {
            last = new BatchWatch(deployment, timeline, sampler).follow(id, BATCH_AT_MOST);
        } finally {
            ended.set(true);
            timeline.end("run");
        }
        asks.join();
        say("batch " + id + " ended " + last.status() + "; the interactive asks beside it: "
                + beside.get().result().count() + ", errors " + beside.get().errors());
        BatchTimes.awaitStored(deployment, id, last.total(), COMPLETION_AT_MOST);
        BatchTimes times = BatchTimes.read(deployment, id);

        say("download of the output and error files");
        timeline.begin("download");
        long started = System.nanoTime();
        long bytes = 0;
        long lines = 0;
        for (String file : Stream.of(last.outputFileId(), last.errorFileId())
                .flatMap(Optional::stream)
                .toList()) {
            BatchApi.Download download = api.download(file);
            bytes += download.bytes();
            lines += download.lines();
        }
        BatchLoadResult.Transfer download =
                new BatchLoadResult.Transfer(bytes, lines, (System.nanoTime() - started) / 1e9);
        timeline.end("download");
        sampler.close();

        List<Timeline.Phase> phases = timeline.phases();
        List<String> services =
                deployment.services().stream().map(ServiceProcess::name).toList();
        Map<String, Double> load = new LinkedHashMap<>();
        Map<Long, Double> loads = sampler.loads();
        for (Timeline.Phase phase : phases) {
            PhasePeaks.highestLoad(phase, loads).ifPresent(highest -> load.put(phase.name(), highest));
        }
        return new BatchLoadResult(
                startedAt,
                host,
                options,
                alone,
                closed,
                upload.transfer(),
                times,
                download,
                beside.get(),
                phases,
                services,
                PhasePeaks.of(phases, services, sampler.samples()),
                load);
    }

    private Completion completion(String run, long accepted) throws Exception {
        try (Connection db = deployment.database()) {
            return StoreCompletion.await(db, run, accepted, COMPLETION_AT_MOST);
        }
    }

    @Override
    public void close() {
        sampler.close();
        try {
            deployment.close();
        } finally {
            Directories.deleteRecursively(dir); // after the deployment and its broker stopped
        }
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void say(String line) {
        System.out.println("== " + line);
    }
}
