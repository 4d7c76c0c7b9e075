package io.askpipe.bench;

import io.askpipe.bench.cost.CostMeasurement;
import io.askpipe.bench.cost.CostModelOptions;
import io.askpipe.bench.cost.CostModelResult;
import io.askpipe.bench.cost.CostReport;
import io.askpipe.schemas.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What each step of one ask costs, each measured alone on the same embedded broker and database in
 * this JVM: the ledger's claim and mark, the Kafka produce, fetch and transactional produce, the
 * router's dedup look-up and keep, the result store's row writes, the messages' JSON, a log line
 * and an HTTP request. Where {@code AskLoad} measures the whole pipeline, this measures its parts.
 *
 * <p>Each step runs on the production class that does it, batched as the pipeline batches it
 * ({@code --batch} calls in flight, or asks to a batch), first as a warm-up that is not counted,
 * then over {@code --asks} asks; it reports the CPU time per ask of this JVM (with the broker in
 * it) and of PostgreSQL's processes, and the latency of one operation, saying which. The steps are
 * the classes of {@link io.askpipe.bench.cost}; {@link CostReport} renders the table and the JSON
 * file.
 *
 * <p>{@code ./askpipe bench CostModel [--asks 20000] [--warmup ASKS] [--batch 64] [--record-bytes
 * 2048] [--json target/costmodel.json]}
 */
public final class CostModel {
    private CostModel() {}

    public static void main(String[] args) throws Exception {
        CostModelOptions options = CostModelOptions.parse(args);
        CostModelResult result = CostMeasurement.run(options);
        System.out.println();
        System.out.print(CostReport.table(result));
        Path json = options.json().toAbsolutePath();
        Files.createDirectories(json.getParent());
        Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), CostReport.json(result));
        System.out.println();
        System.out.println("the same figures in " + json);
    }
}
