package io.askpipe.bench.load;

import io.askpipe.bench.load.AskLoadResult.Completion;
import io.askpipe.bench.load.AskLoadResult.DurableBaseline;
import io.askpipe.bench.load.AskLoadResult.HalfPeak;
import io.askpipe.bench.load.AskLoadResult.IngestPeak;
import io.askpipe.bench.load.AskLoadResult.JdbcBaseline;
import io.askpipe.bench.load.AskLoadResult.KafkaBaselines;
import io.askpipe.bench.load.AskLoadResult.Memory;
import io.askpipe.bench.load.AskLoadResult.SubmitToResult;
import io.askpipe.bench.load.AskLoadResult.Sustained;
import io.askpipe.embedded.FreePorts;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;

/**
 * The load generator's phases against one all-in-one stack in a child process (with {@code
 * --split-cores}, its broker and PostgreSQL in another), to be run in the order they are declared;
 * each prints what it starts and returns what it measured. The stack's memory is sampled from
 * {@link #start} until {@link #memory}.
 */
public final class LoadPhases implements AutoCloseable {
    /** The open-loop phases' own warm-up, not counted. */
    private static final Duration WARMUP = Duration.ofSeconds(5);

    private static final Duration PEAK = Duration.ofSeconds(10);
    /** The durable-work baseline's own warm-up: its JVM is fresh, where the stack's has warmed up. */
    private static final Duration DURABLE_WARMUP = Duration.ofSeconds(5);

    private static final Duration STACK_WARMUP = Duration.ofSeconds(30);
    private static final int WARMUP_RATE = 300;
    /** The submit-to-result phase on the otherwise idle stack. */
    static final Duration IDLE = Duration.ofSeconds(20);

    private final AskLoadOptions options;
    private final Vertx vertx;
    private final StackProcess stack;
    private final MemorySampler memory;
    private final URI base;

    private LoadPhases(AskLoadOptions options, Vertx vertx, StackProcess stack) {
        this.options = options;
        this.vertx = vertx;
        this.stack = stack;
        this.memory = new MemorySampler(stack);
        this.base = URI.create(stack.baseUrl);
    }

    /**
     * Starts the all-in-one stack on fresh data: dryrun backend without latency, auth, idempotency
     * ledger and the result store on, as {@code ./askpipe dev} runs. With {@code --split-cores}, first
     * checks that the machine allows it (util-linux's {@code taskset}, 2 CPUs) and pins this process
     * to the broker's and PostgreSQL's CPU, then starts the broker and PostgreSQL apart from the
     * services ({@link Placement}).
     */
    public static LoadPhases start(AskLoadOptions options) throws Exception {
        Placement placement = options.splitCores()
                ? Placement.split(
                        Runtime.getRuntime().availableProcessors(), CpuAffinity.taskset(System.getenv("PATH")))
                : Placement.shared();
        if (placement.split()) {
            say("split cores: broker, PostgreSQL and the load generator on CPU " + Placement.INFRASTRUCTURE_CPU
                    + "; the services, and the baselines' servers, on CPU " + Placement.SERVICES_CPU);
        }
        placement.pinLoadGenerator();
        Vertx vertx = Vertx.vertx();
        try {
            say(
                    placement.split()
                            ? "starting the broker and PostgreSQL, then the services against them, on fresh data"
                            : "starting the all-in-one stack (broker, PostgreSQL, services) on fresh data");
            List<String> jvmOptions = options.profile()
                    .map(profile -> List.of(
                            flightRecording(profile, Runtime.version().feature(), System.getProperty("os.name"))))
                    .orElse(List.of());
            StackProcess stack =
                    StackProcess.start(Map.of("DRYRUN_LATENCY_MS", "0"), options.heap(), jvmOptions, placement);
            return new LoadPhases(options, vertx, stack);
        } catch (Exception | Error e) {
            vertx.close().await();
            throw e;
        }
    }

    /**
     * The stack JVM's flight recording into {@code profile}: JFR's {@code profile} settings, written
     * when it exits, with CPU-time samples where the JVM takes them (JDK 25 on Linux; its own, for
     * the stack runs on this JVM's {@code java}): {@code CpuProfile} charges those rather than
     * execution samples, which miss native code and count threads waiting for a CPU.
     */
    static String flightRecording(Path profile, int javaFeature, String os) {
        String cpuTime = javaFeature >= 25 && os.equals("Linux") ? "jdk.CPUTimeSample#enabled=true," : "";
        return "-XX:StartFlightRecording=settings=profile," + cpuTime + "dumponexit=true,filename="
                + profile.toAbsolutePath();
    }

    /** The stack's JVM compiles its hot paths before anything is measured: asks at 300/s for 30 s, long-polled. */
    public void warmUp() throws Exception {
        String run = "warmup-" + shortId();
        HttpLoad.Run warmup;
        try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
            say("warm-up: " + WARMUP_RATE + " asks/s for " + STACK_WARMUP.toSeconds() + " s, not counted");
            warmup = load.openLoop(run, WARMUP_RATE, Duration.ZERO, STACK_WARMUP, true);
        }
        StoreCompletion.await(stack, run, warmup, Duration.ofMinutes(3));
    }

    /**
     * Submit to result visible on the otherwise idle stack, right after its warm-up: {@code
     * --idle-rate} asks/s for {@link #IDLE}, each long-polled until terminal.
     */
    public SubmitToResult idleSubmitToResult() throws Exception {
        return submitToResult("idle", options.idleRate(), IDLE, "on the otherwise idle stack");
    }

    /**
     * Peak throughput of {@code POST /v1/ask} with {@code --connections} requests in flight (closed
     * loop), against a hello-world endpoint of the same server library with the same client; its
     * other baseline, the same durable work without HTTP, is a phase of its own at the end ({@link
     * #durableWork}).
     */
    public IngestPeak ingestPeak() throws Exception {
        int connections = options.connections();
        say("hello-world baseline: " + connections + " requests in flight for " + PEAK.toSeconds() + " s");
        HttpLoad.Run hello;
        int helloPort = FreePorts.next();
        Process helloServer =
                ChildProcesses.start(stack.placement(), HelloServer.class.getName(), String.valueOf(helloPort));
        try (HttpLoad load = new HttpLoad(vertx, URI.create("http://127.0.0.1:" + helloPort), null, 64)) {
            ChildProcesses.awaitLine(helloServer, "listening");
            hello = load.closedLoop("hello", "/hello", connections, Duration.ofSeconds(2), PEAK);
        } finally {
            helloServer.destroyForcibly().waitFor();
        }
        HttpLoad.Run ingest;
        String run = "peak-" + shortId();
        try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, connections)) {
            say("ingest peak: " + connections + " asks in flight for " + PEAK.toSeconds() + " s");
            ingest = load.closedLoop(run, "/v1/ask", connections, Duration.ofSeconds(2), PEAK);
        }
        StoreCompletion.await(stack, run, ingest, Duration.ofMinutes(3));
        return new IngestPeak(connections, hello, ingest, null);
    }

    /**
     * Ingest's durable work without HTTP, as many asks at a time as the ingest {@code peak} had in
     * flight, for as long, after a warm-up of its own, on a database and topics of its own on the
     * stack's PostgreSQL and broker. It runs after the measured phases, as the other baselines do:
     * its asks and rows would otherwise be vacuumed, checkpointed and cleaned while those phases'
     * CPU is counted.
     */
    public IngestPeak durableWork(IngestPeak peak) throws Exception {
        return peak.withDurable(durableWork(peak.connections()));
    }

    private DurableBaseline durableWork(int inFlight) throws Exception {
        say("durable-work baseline (ledger claim, acks=all publish, ledger mark; no HTTP): " + inFlight
                + " asks in flight for " + PEAK.toSeconds() + " s after " + DURABLE_WARMUP.toSeconds()
                + " s of warm-up");
        String jdbcUrl = stack.createDatabase("askload_durable_" + shortId());
        return DurableWork.result(ChildProcesses.run(
                stack.placement(),
                DurableWork.class.getName(),
                stack.bootstrapServers,
                jdbcUrl,
                StackProcess.DATABASE_USER,
                StackProcess.DATABASE_PASSWORD,
                String.valueOf(inFlight),
                String.valueOf(DURABLE_WARMUP.toSeconds()),
                String.valueOf(PEAK.toSeconds())));
    }

    /** Submit latency in an open loop at half of the ingest {@code peak} for {@code --duration}, and ingest's stage timers meanwhile. */
    public HalfPeak halfPeak(IngestPeak peak) throws Exception {
        int half = Math.max(1, (int) (peak.ingestRate() / 2));
        String run = "half-" + shortId();
        HttpLoad.Run atHalf;
        StageBuckets before = StageBuckets.scrape(stack);
        try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
            say("ingest at half its peak: " + half + " asks/s for "
                    + options.duration().toSeconds() + " s");
            atHalf = load.openLoop(run, half, WARMUP, options.duration(), false);
        }
        StageBuckets after = StageBuckets.scrape(stack);
        Map<String, Map<Double, Double>> stages = new LinkedHashMap<>();
        for (String stage : AskLoadReport.INGEST_STAGES) {
            stages.put(stage, after.since(before, stage));
        }
        StoreCompletion.await(stack, run, atHalf, Duration.ofMinutes(5));
        return new HalfPeak(half, atHalf, stages);
    }

    /** Submit to result visible: {@code --rate} asks/s for {@code --duration}, each long-polled until terminal. */
    public SubmitToResult submitToResult() throws Exception {
        return submitToResult("latency", options.rate(), options.duration(), "");
    }

    /**
     * {@code rate} asks/s for {@code duration} after the open loop's warm-up, each long-polled until
     * terminal, their keys starting with {@code name}; and the router's {@code worker} stage meanwhile.
     */
    private SubmitToResult submitToResult(String name, int rate, Duration duration, String note) throws Exception {
        String run = name + "-" + shortId();
        HttpLoad.Run latency;
        StageBuckets before = StageBuckets.scrape(stack);
        try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections() * 4)) {
            say("submit to result" + (note.isEmpty() ? "" : " " + note) + ": " + rate + " asks/s for "
                    + duration.toSeconds() + " s, each long-polled");
            latency = load.openLoop(run, rate, WARMUP, duration, true);
        }
        return new SubmitToResult(
                rate, duration, latency, StageBuckets.scrape(stack).since(before, "worker"));
    }

    /**
     * Completed asks per second: {@code --sustain} asks/s for {@code --duration}, not polled, until
     * every accepted one has a terminal row; and the CPU each cost the stack's JVM and PostgreSQL.
     */
    public Sustained sustained() throws Exception {
        String run = "sustain-" + shortId();
        HttpLoad.Run sustained;
        Duration jvmCpuBefore = stack.jvmCpu();
        Duration databaseCpuBefore = stack.databaseCpu();
        Optional<Duration> brokerCpuBefore = stack.brokerCpu();
        try (HttpLoad load = new HttpLoad(vertx, base, stack.apiKey, options.connections())) {
            say("completed asks: " + options.sustain() + " asks/s for "
                    + options.duration().toSeconds() + " s");
            sustained = load.openLoop(run, options.sustain(), WARMUP, options.duration(), false);
        }
        Completion completion = StoreCompletion.await(stack, run, sustained, Duration.ofMinutes(10));
        // the work each ask costs, whatever the rate: CPU from the phase's first ask to its last row
        long asks = completion.asks();
        double jvmCpuPerAsk = Sustained.msPerAsk(jvmCpuBefore, stack.jvmCpu(), asks);
        double databaseCpuPerAsk = Sustained.msPerAsk(databaseCpuBefore, stack.databaseCpu(), asks);
        OptionalDouble brokerCpuPerAsk = brokerCpuBefore
                .map(before -> OptionalDouble.of(
                        Sustained.msPerAsk(before, stack.brokerCpu().orElseThrow(), asks)))
                .orElse(OptionalDouble.empty());
        return new Sustained(
                options.sustain(), sustained, completion, jvmCpuPerAsk, databaseCpuPerAsk, brokerCpuPerAsk);
    }

    /** The stack's peak memory so far; sampling stops here, before the baselines load the broker and database. */
    public Memory memory() {
        Memory peaks = memory.peaks();
        memory.close();
        return peaks;
    }

    /** Kafka's {@code ProducerPerformance} and {@code EndToEndLatency} on the stack's broker. */
    public KafkaBaselines kafkaBaselines() throws Exception {
        say("Kafka ProducerPerformance and EndToEndLatency on the stack's broker");
        return new KafkaBaselines(Baselines.producerPerformance(stack), Baselines.endToEndLatency(stack));
    }

    /** Plain JDBC batched upserts on the stack's PostgreSQL. */
    public JdbcBaseline jdbcUpserts() throws Exception {
        say("plain JDBC batched upserts on the stack's PostgreSQL");
        return Baselines.jdbcUpserts(stack);
    }

    /** Stops the sampler and the stack, and closes the client. */
    @Override
    public void close() throws InterruptedException {
        try {
            memory.close();
            stack.close();
        } finally {
            vertx.close().await();
        }
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private static void say(String line) {
        System.out.println("== " + line);
    }
}
