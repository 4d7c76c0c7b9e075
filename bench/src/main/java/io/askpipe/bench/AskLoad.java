package io.askpipe.bench;

import io.askpipe.bench.load.AskLoadOptions;
import io.askpipe.bench.load.AskLoadReport;
import io.askpipe.bench.load.AskLoadResult;
import io.askpipe.bench.load.LoadPhases;
import io.askpipe.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The load generator and its baselines, in one run on one machine: the all-in-one stack in a child
 * process on fresh data (dryrun backend without latency, auth, idempotency ledger and the
 * result store on, as {@code ./askpipe dev} runs), and beside each headline figure the
 * baseline it is divided by.
 *
 * <p>First the stack warms up (30 s of asks at 300 per second, long-polled, not counted), so that
 * what follows measures compiled code. Then:
 *
 * <ol>
 *   <li><b>Submit to result on the idle stack</b>: open loop at {@code --idle-rate} asks/s (10 by
 *       default) for 20 s, each long-polled until terminal, against Kafka's {@code EndToEndLatency}.
 *   <li><b>Ingest peak</b>: {@code POST /v1/ask} with {@code --connections} requests in flight for
 *       10 s, against a hello-world endpoint of the same server library ({@link
 *       io.askpipe.bench.load.HelloServer HelloServer}) with
 *       the same client and connections, and against the same durable work without HTTP ({@link
 *       io.askpipe.bench.load.DurableWork DurableWork}: ledger claim, {@code acks=all} publish,
 *       ledger mark, on ingest's own classes) with as many asks in flight.
 *   <li><b>Ingest at half the peak</b>: open loop at half the ingest peak for {@code --duration};
 *       submit latency percentiles.
 *   <li><b>Submit to result</b>: open loop at {@code --rate} asks/s, each long-polled ({@code GET
 *       /v1/ask/{id}?wait=10}) until terminal; from the ask's due moment to the answer, against
 *       Kafka's {@code EndToEndLatency} on the same broker.
 *   <li><b>Completed asks per second</b>: open loop at {@code --sustain} asks/s for {@code
 *       --duration}, no polls; the rate at which asks reach a terminal row in {@code store.asks}
 *       (from the first ask's acceptance to the last row), against Kafka's {@code
 *       ProducerPerformance} (the ingest producer's settings) and a plain JDBC batched upsert loop
 *       on the same PostgreSQL.
 *   <li><b>CPU per completed ask</b> in that phase, of the stack's JVM and of its PostgreSQL.
 *   <li><b>Memory</b> (proportional set size) of the stack's JVM, and of it with its PostgreSQL, sampled every half
 *       second throughout.
 * </ol>
 *
 * <p>With {@code --split-cores} the broker and PostgreSQL run in a process of their own pinned to
 * CPU 0 (with the load generator), the services pinned to CPU 1, and the CPU per completed ask and
 * the memory come in three parts: the services' JVM, the broker's JVM, PostgreSQL.
 *
 * <p>Each phase is a method of {@link LoadPhases} that returns what it measured; the targets are
 * data beside the figures, and {@link AskLoadReport} renders the summary table and the JSON file.
 * Prints a progress line every second, then the summary table; the same figures go to the JSON file.
 *
 * <p>{@code ./askpipe bench AskLoad [--rate 1000] [--sustain 5000] [--duration 60] [--connections
 * 64] [--json target/askload.json] [--heap 1g] [--profile stack.jfr] [--idle-rate 10] [--split-cores]}
 */
public final class AskLoad {
    private AskLoad() {}

    public static void main(String[] args) throws Exception {
        AskLoadOptions options = AskLoadOptions.parse(args);
        Instant startedAt = Instant.now();
        AskLoadResult.Machine machine = AskLoadResult.Machine.here();
        AskLoadResult result;
        try (LoadPhases phases = LoadPhases.start(options)) {
            phases.warmUp();
            AskLoadResult.SubmitToResult idle = phases.idleSubmitToResult();
            AskLoadResult.IngestPeak peak = phases.ingestPeak();
            AskLoadResult.HalfPeak half = phases.halfPeak(peak);
            AskLoadResult.SubmitToResult submitToResult = phases.submitToResult();
            AskLoadResult.Sustained sustained = phases.sustained();
            AskLoadResult.Memory memory = phases.memory();
            AskLoadResult.KafkaBaselines kafka = phases.kafkaBaselines();
            AskLoadResult.JdbcBaseline jdbc = phases.jdbcUpserts();
            peak = phases.durableWork(peak);
            result = new AskLoadResult(
                    startedAt, machine, options, idle, peak, half, submitToResult, sustained, memory, kafka, jdbc);
        }
        System.out.println();
        System.out.print(AskLoadReport.table(result));
        Path json = options.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), AskLoadReport.json(result));
        System.out.println();
        System.out.println("the same figures, and more, in " + json);
    }
}
